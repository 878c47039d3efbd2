/*
 * GridMap: the map every console builds on (gis_core/templates/tiles/map_page.html).
 *
 * It reads the page's configuration (#map-config), asks the server which tile layers this
 * user may see (/tiles/: TileJSON, MapLibre style and legend of each layer) and draws
 * them, with a layer switcher, a legend, click-to-inspect popups, search and "zoom to my
 * areas". Nothing comes from outside the server: no glyphs or sprites are needed (no
 * text symbols), and the basemap is whatever the deployment configured, or none.
 *
 * Consoles get the instance from `GridMap.ready` (a promise) and add their own sources
 * with addOverlay() (raster heatmaps, hexagon layers …), which then appear in the layer
 * list and legend like the others.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("map-config").textContent);
  const L = config.labels;

  function fetchJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}).then((response) => {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      // Styles through the CSSOM: the Content-Security-Policy refuses style attributes.
      else if (key === "style") Object.assign(node.style, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    });
    children.forEach((child) => child && node.append(child));
    return node;
  }

  class GridMap {
    constructor(container) {
      this.overlays = [];      // {id, title, styleIds, legend (element or entries), visible}
      this.bounds = null;
      const style = {version: 8, sources: {}, layers: [
        {id: "background", type: "background", paint: {"background-color": "#f4f2ee"}},
      ]};
      if (config.basemap && config.basemap.url) {
        style.sources.basemap = {type: "raster", tiles: [config.basemap.url], tileSize: 256,
                                 attribution: config.basemap.attribution || ""};
        style.layers.push({id: "basemap", type: "raster", source: "basemap"});
      }
      this.map = new maplibregl.Map({
        container, style, center: config.center, zoom: 12, maxZoom: 20,
        attributionControl: {compact: true}, fadeDuration: 0,
      });
      this.map.addControl(new maplibregl.NavigationControl({showCompass: false}), "top-right");
      this.map.addControl(new maplibregl.ScaleControl({unit: "metric"}), "bottom-left");
      this.loaded = new Promise((resolve) => this.map.on("load", resolve));
    }

    async init() {
      const [index] = await Promise.all([fetchJSON(config.tilesUrl), this.loaded]);
      this.bounds = index.bounds;
      index.layers.forEach((layer) => this.addVectorLayer(layer));
      this.zoomToMyAreas(false);
      if (config.inspect !== false) this.map.on("click", (event) => this.inspect(event));
      if (document.getElementById("search")) this.bindSearch();
      const myAreas = document.getElementById("my-areas");
      if (myAreas) myAreas.addEventListener("click", () => this.zoomToMyAreas(true));
      this.renderPanel();
      return this;
    }

    /* A vector layer from the server's index: one source, its style layers. */
    addVectorLayer(layer) {
      const source = "src-" + layer.id;
      this.map.addSource(source, {type: "vector", tiles: layer.tiles, minzoom: layer.minzoom,
                                  maxzoom: layer.maxzoom, bounds: layer.bounds, promoteId: undefined});
      const styleIds = layer.style.map((style, i) => {
        const id = layer.id + "-" + i;
        this.map.addLayer({...style, id, source, "source-layer": layer.id, minzoom: layer.minzoom,
                           layout: {...(style.layout || {}), visibility: layer.visible ? "visible" : "none"}});
        return id;
      });
      this.overlays.push({id: layer.id, title: layer.title, styleIds, legend: layer.legend,
                          visible: layer.visible, inspect: true, detail: layer.detail_url});
    }

    /* Consoles add their own layers: `source` a MapLibre source, `layers` style layers
       (ids set here), `legend` entries or an element. Returns the overlay. */
    addOverlay({id, title, source, layers, legend, visible = true, inspect = false, before}) {
      this.removeOverlay(id);
      this.map.addSource("src-" + id, source);
      const styleIds = layers.map((style, i) => {
        const styleId = id + "-" + i;
        this.map.addLayer({...style, id: styleId, source: "src-" + id,
                           layout: {...(style.layout || {}), visibility: visible ? "visible" : "none"}}, before);
        return styleId;
      });
      const overlay = {id, title, styleIds, legend, visible, inspect};
      this.overlays.push(overlay);
      this.renderPanel();
      return overlay;
    }

    removeOverlay(id) {
      const i = this.overlays.findIndex((o) => o.id === id);
      if (i < 0) return;
      this.overlays[i].styleIds.forEach((styleId) => this.map.getLayer(styleId) && this.map.removeLayer(styleId));
      if (this.map.getSource("src-" + id)) this.map.removeSource("src-" + id);
      this.overlays.splice(i, 1);
    }

    setVisible(id, visible) {
      const overlay = this.overlays.find((o) => o.id === id);
      if (!overlay) return;
      overlay.visible = visible;
      overlay.styleIds.forEach((styleId) => this.map.setLayoutProperty(styleId, "visibility",
                                                                      visible ? "visible" : "none"));
      this.renderLegend();
    }

    renderPanel() {
      const list = document.getElementById("layer-list");
      if (!list) return;
      list.replaceChildren(...this.overlays.map((overlay) => element("li", {},
        element("label", {},
          Object.assign(element("input", {type: "checkbox", "data-layer": overlay.id,
                                          onchange: (e) => this.setVisible(overlay.id, e.target.checked)}),
                        {checked: overlay.visible}),
          document.createTextNode(overlay.title)))));
      this.renderLegend();
    }

    renderLegend() {
      const legend = document.getElementById("legend");
      if (!legend) return;
      legend.replaceChildren(...this.overlays.filter((o) => o.visible && o.legend).map((overlay) => {
        const body = overlay.legend instanceof Element ? overlay.legend : element("div", {},
          ...overlay.legend.map(([label, color]) => element("span", {class: "item"},
            element("span", {class: "swatch", style: {background: color}}), document.createTextNode(label))));
        return element("div", {class: "legend-group"}, element("div", {class: "legend-title", text: overlay.title}), body);
      }));
    }

    zoomToMyAreas(animate) {
      if (this.bounds) this.map.fitBounds(this.bounds, {padding: 30, animate});
    }

    /* Click: the properties of the features under the pointer, one per layer. */
    inspect(event) {
      const ids = this.overlays.filter((o) => o.visible && o.inspect).flatMap((o) => o.styleIds);
      const seen = new Set();
      const features = this.map.queryRenderedFeatures(event.point, {layers: ids}).filter((feature) => {
        const key = feature.source + ":" + feature.id;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }).slice(0, 3);
      if (!features.length) return;
      const content = element("div", {class: "popup", "data-testid": "popup"}, ...features.map((feature) => {
        const layerId = feature.source.replace(/^src-/, "");
        const overlay = this.overlays.find((o) => o.id === layerId);
        const rows = Object.entries(feature.properties).map(([key, value]) => element("tr", {},
          element("th", {text: config.fieldLabels[key] || key}), element("td", {text: String(value)})));
        // A page may link a layer to its own pages (the workspace: building pages).
        const detail = (config.detailUrls || {})[layerId] || (overlay && overlay.detail);
        return element("div", {},
          element("h4", {text: (overlay ? overlay.title : layerId) + (feature.properties.name ? " · " + feature.properties.name : "")}),
          element("table", {}, ...rows),
          detail && feature.id != null ? element("a", {href: detail.replace("{id}", feature.id), target: "_blank",
                                                       text: L.details}) : null);
      }));
      new maplibregl.Popup({maxWidth: "320px"}).setLngLat(event.lngLat).setDOMContent(content).addTo(this.map);
    }

    bindSearch() {
      const input = document.getElementById("search-input");
      const results = document.getElementById("search-results");
      let timer = null;
      const show = (items) => {
        results.hidden = false;
        results.replaceChildren(...(items.length ? items.map((item) => element("li", {tabindex: "0",
          onclick: () => { this.map.fitBounds(item.bbox, {padding: 60, maxZoom: 17}); results.hidden = true; }},
          document.createTextNode(item.label), element("small", {text: item.kind_title + (item.detail ? " · " + item.detail : "")})))
          : [element("li", {text: L.noResults})]));
      };
      input.addEventListener("input", () => {
        clearTimeout(timer);
        const q = input.value.trim();
        if (q.length < 2) { results.hidden = true; return; }
        timer = setTimeout(() => fetchJSON(config.searchUrl + "?q=" + encodeURIComponent(q)).then(show), 250);
      });
      document.getElementById("search").addEventListener("submit", (e) => e.preventDefault());
    }
  }

  GridMap.config = config;
  GridMap.fetchJSON = fetchJSON;
  GridMap.element = element;
  GridMap.ready = new GridMap(document.getElementById("map")).init();
  window.GridMap = GridMap;
})();
