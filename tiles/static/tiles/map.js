/*
 * GridMap: the map every console builds on (gis_core/templates/tiles/map_page.html).
 *
 * It reads the page's configuration (#map-config), asks the server which tile layers this
 * user may see (/tiles/: TileJSON, MapLibre style and legend of each layer) and draws
 * them, with a layer switcher, a legend, click-to-inspect popups, search and "zoom to my
 * areas". Nothing comes from outside the server: the basemap (tiles/static/tiles/basemap.js)
 * is a plain background, our roads and labels with locally served glyphs, and whatever
 * raster the deployment configured, or none.
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

  /* MapLibre requests tiles from a worker that cannot resolve a relative URL: make a
     source's tile URLs absolute against the page. */
  function absoluteTiles(source) {
    if (!source.tiles) return source;
    // (URL() escapes the {z}/{x}/{y} placeholders: put them back)
    return {...source, tiles: source.tiles.map((url) => new URL(url, window.location.href).href
      .replace(/%7B/gi, "{").replace(/%7D/gi, "}"))};
  }

  // ------------------------------------------------------------------ popups

  const lang = document.documentElement.lang || undefined;
  const YEAR_MS = 365 * 86400000;
  let relativeFormat;
  try { relativeFormat = new Intl.RelativeTimeFormat(lang, {numeric: "auto"}); }
  catch (error) { relativeFormat = new Intl.RelativeTimeFormat(undefined, {numeric: "auto"}); }

  function localTime(value) {
    const date = new Date(value);
    return isNaN(date) ? String(value)
      : date.toLocaleString(lang, {dateStyle: "medium", timeStyle: "short", timeZone: config.timeZone || undefined});
  }

  /* "3 分钟前"; a time more than a year off (a device clock in 2017) shows its date. */
  function age(value) {
    const ms = Date.parse(value);
    if (isNaN(ms)) return String(value);
    const diff = ms - Date.now();
    if (Math.abs(diff) > YEAR_MS) return localTime(value);
    const seconds = Math.round(diff / 1000);
    for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
      if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
    }
    return config.popupWords.justNow;
  }

  function displayValue(row, value) {
    if (value === null || value === undefined || value === "") return null;
    switch (row.kind) {
      case "choice": return (row.choices || {})[String(value)] || String(value);
      case "bool": return value === true || value === "true" ? config.popupWords.yes : config.popupWords.no;
      case "datetime": return localTime(value);
      case "age": return age(value);
      default:
        return typeof value === "number" && !Number.isInteger(value)
          ? value.toLocaleString(lang, {maximumFractionDigits: 1}) : String(value);
    }
  }

  /* The popup of a feature of a layer, from the layer's template (config.popups, declared
     in each app's layers.py): labels, choices' labels, 是/否, local times and ages, a link
     to the record. `link` overrides the template's (a page linking to its own pages). */
  function renderPopup(layerId, properties, link) {
    const template = (config.popups || {})[layerId];
    const words = config.popupWords || {};
    if (!template) {
      // A layer without a template shows its name only: never raw keys.
      return element("div", {class: "popup", "data-testid": "popup", "data-layer": layerId},
        element("h4", {text: properties.name || layerId}));
    }
    const titleValue = template.title ? properties[template.title] : null;
    const rows = template.rows.map((row) => [row, displayValue(row, properties[row.field])])
      .filter(([, shown]) => shown !== null)
      .map(([row, shown]) => element("tr", {"data-field": row.field},
        element("th", {text: row.label}), element("td", {text: shown})));
    const href = link || template.link;
    return element("div", {class: "popup", "data-testid": "popup", "data-layer": layerId},
      element("h4", {text: template.layer + (titleValue ? " · " + titleValue : "")}),
      rows.length ? element("table", {}, ...rows) : null,
      href && properties.id != null ? element("a", {href: href.replace("{id}", properties.id), text: words.details})
        : null);
  }

  class GridMap {
    constructor(container) {
      this.overlays = [];      // {id, title, styleIds, legend (element or entries), visible}
      this.bounds = null;
      this.map = new maplibregl.Map({
        container, style: GridBasemap.style(config), center: config.center, zoom: 12, maxZoom: 20,
        attributionControl: {compact: true}, fadeDuration: 0,
        locale: config.maplibreLocale || {},   // the controls' tooltips in the user's language
        localIdeographFontFamily: GridBasemap.IDEOGRAPH_FONTS,
      });
      this.map.addControl(new maplibregl.NavigationControl({showCompass: false}), "top-right");
      this.map.addControl(new maplibregl.ScaleControl({unit: "metric"}), "bottom-left");
      this.loaded = new Promise((resolve) => this.map.on("load", resolve));
    }

    async init() {
      const [index] = await Promise.all([fetchJSON(config.tilesUrl), this.loaded]);
      this.bounds = index.bounds;
      index.layers.forEach((layer) => this.addVectorLayer(layer));
      GridBasemap.addLabels(this, index.layers);
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
      this.map.addSource("src-" + id, absoluteTiles(source));
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
      if (!this.bounds) return;
      // A page may open closer in (config.openZoom: the report page, where a spot is tapped).
      if (config.openZoom && !animate) {
        const [x0, y0, x1, y1] = this.bounds;
        this.map.jumpTo({center: [(x0 + x1) / 2, (y0 + y1) / 2], zoom: config.openZoom});
        return;
      }
      // On phones the bottom sheet covers the map's foot: fit the areas above it.
      const covered = window.MapSheet ? window.MapSheet.covered() : 0;
      this.map.fitBounds(this.bounds, {padding: {top: 30, left: 30, right: 30, bottom: 30 + covered}, animate});
    }

    /* Click: the popup of the topmost feature under the pointer (not of every layer
       stacked under it: the cell would answer every click). */
    inspect(event) {
      const ids = this.overlays.filter((o) => o.visible && o.inspect).flatMap((o) => o.styleIds);
      const feature = this.map.queryRenderedFeatures(event.point, {layers: ids})[0];
      if (!feature) return;
      const layerId = feature.source.replace(/^src-/, "");
      const properties = {...feature.properties};
      if (properties.id == null && feature.id != null) properties.id = feature.id;
      const content = GridMap.renderPopup(layerId, properties, (config.detailUrls || {})[layerId]);
      new maplibregl.Popup({maxWidth: "none", className: "grid-popup"})
        .setLngLat(event.lngLat).setDOMContent(content).addTo(this.map);
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
  GridMap.renderPopup = renderPopup;
  GridMap.localTime = localTime;
  GridMap.fetchJSON = fetchJSON;
  GridMap.element = element;
  GridMap.ready = new GridMap(document.getElementById("map")).init();
  window.GridMap = GridMap;
})();
