/*
 * The admin's map widget (gis_core.admin_base.OfflineMapWidget, template
 * gis/offline-openlayers.html): starts GeoDjango's MapWidget (gis/js/OLMapWidget.js) for
 * each widget on the page from its JSON options — what GeoDjango's template does in an
 * inline script, which the Content-Security-Policy refuses. The base layer is the
 * configured basemap (if any) under the grid cells of the visible extent, from our API.
 */
/* global ol, MapWidget */
(function () {
  "use strict";

  /* The view in longitude/latitude, within the world: zoomed out, the view wraps past
     ±180° (which the API refuses with a 400, and no cell would show). */
  function viewBox(extent) {
    const [x0, y0, x1, y1] = ol.proj.transformExtent(extent, "EPSG:3857", "EPSG:4326");
    const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v));
    if (x1 - x0 >= 360) return [-180, clamp(y0, 90), 180, clamp(y1, 90)];
    return [clamp(x0, 180), clamp(y0, 90), clamp(x1, 180), clamp(y1, 90)].map((v) => Math.round(v * 1e6) / 1e6);
  }

  function baseLayer(options) {
    const layers = [];
    if (options.basemap_url) {
      layers.push(new ol.layer.Tile({source: new ol.source.XYZ({
        url: options.basemap_url, attributions: options.basemap_attribution})}));
    }
    const cells = new ol.source.Vector({
      format: new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"}),
      strategy: ol.loadingstrategy.bbox,
      url: (extent) => options.cells_url + "?level=" + options.grid_level + "&page_size=1000&in_bbox=" +
        viewBox(extent).join(","),
    });
    layers.push(new ol.layer.Vector({source: cells, style: new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#3873b5", width: 1}),
    })}));
    return new ol.layer.Group({layers});
  }

  function start() {
    document.querySelectorAll("[data-map-widget]").forEach((wrapper) => {
      const options = JSON.parse(document.getElementById(wrapper.dataset.mapWidget).textContent);
      // A global of the widget's name, as GeoDjango's inline script declares it.
      window[options.module] = new MapWidget({...options, base_layer: baseLayer(options)});
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
