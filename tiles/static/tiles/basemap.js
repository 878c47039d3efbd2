/*
 * GridBasemap: what every map draws under and over the domain layers, with nothing from
 * outside the server (tiles/maps.py hands the configuration):
 *   - style(config): the style a map starts from — a plain background, the configured
 *     BASEMAP_URL raster when there is one, and the local glyphs URL for text;
 *   - addLabels(gridMap, layers): each layer's labels (names of areas, roads, buildings:
 *     the `labels` of /tiles/) as symbol layers on top of every layer's shapes, switched
 *     with their layer in the layer list.
 * Latin letters and digits come from the glyph files built at set-up
 * (gis_core/frontend/vendor.py); Chinese is drawn by the browser's own fonts
 * (IDEOGRAPH_FONTS, MapLibre's localIdeographFontFamily), so no CJK glyphs are fetched.
 */
(function () {
  "use strict";

  const IDEOGRAPH_FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Zen Hei', " +
                          "'Microsoft YaHei', 'PingFang SC', sans-serif";

  function style(config) {
    const basemap = config.basemap || {};
    const style = {
      version: 8, sources: {},
      layers: [{id: "background", type: "background", paint: {"background-color": "#f4f2ee"}}],
    };
    // MapLibre needs an absolute URL, and its placeholders unencoded (new URL() would).
    if (basemap.glyphs) style.glyphs = window.location.origin + basemap.glyphs;
    if (basemap.url) {
      style.sources.basemap = {type: "raster", tiles: [basemap.url], tileSize: 256,
                               attribution: basemap.attribution || ""};
      style.layers.push({id: "basemap", type: "raster", source: "basemap"});
    }
    return style;
  }

  /* Labels of the server's layers (the /tiles/ index), above everything drawn so far.
     Overlays that consoles add later (alerts) go above them. */
  function addLabels(gridMap, layers) {
    if (!gridMap.map.getStyle().glyphs) return;
    layers.forEach((layer) => {
      const overlay = gridMap.overlays.find((o) => o.id === layer.id);
      (layer.labels || []).forEach((label, i) => {
        const id = layer.id + "-label-" + i;
        gridMap.map.addLayer({...label, id, source: "src-" + layer.id, "source-layer": layer.id,
                              minzoom: Math.max(layer.minzoom, label.minzoom || 0),
                              layout: {...(label.layout || {}), visibility: layer.visible ? "visible" : "none"}});
        if (overlay) overlay.styleIds.push(id);
      });
    });
  }

  window.GridBasemap = {style, addLabels, IDEOGRAPH_FONTS};
})();
