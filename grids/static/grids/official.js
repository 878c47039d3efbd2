/*
 * The street official's console on GridMap: a heatmap of residents or of a key group over
 * a time window (PNG tiles computed on the server, optionally hexagons with their counts,
 * a GeoTIFF download), and the statistics of the current area and its sub-areas with a
 * chart; clicking a sub-area drills down (street → community → cell); when the role reads
 * cases, this month's case metrics of each sub-area (closure and on-time closure rates).
 */
(function () {
  "use strict";
  const {config, fetchJSON, element} = GridMap;
  const T = config.consoleLabels;
  const $ = (id) => document.getElementById(id);

  GridMap.ready.then((grid) => {
    const state = {area: null, trail: [], metric: "people", tags: []};
    const chart = new Chart($("children-chart"), {
      type: "bar",
      data: {labels: [], datasets: [
        {label: T.residents, data: [], backgroundColor: "#3873b5"},
        {label: T.keyGroup, data: [], backgroundColor: "#c0392b"},
      ]},
      options: {responsive: true, animation: false, indexAxis: "y", plugins: {legend: {position: "bottom"}},
                onClick: (_event, elements) => elements.length && open(state.children[elements[0].index].id)},
    });

    function heatParams() {
      const params = new URLSearchParams();
      if (state.area) params.set("area", state.area.id);
      const [metric, tag] = state.metric.split(":");
      if (tag) params.set("tag", tag);
      if ($("heat-since").value) params.set("since", $("heat-since").value);
      if ($("heat-until").value) params.set("until", $("heat-until").value);
      return {metric, query: params.toString()};
    }

    function rampLegend(legend) {
      const stops = legend.stops.map(([, color], i) => color + " " + Math.round(100 * i / (legend.stops.length - 1)) + "%");
      return element("div", {},
        element("div", {class: "ramp", style: {background: "linear-gradient(to right, " + stops.join(", ") + ")"}}),
        element("div", {class: "ramp-labels"}, element("span", {text: "0"}),
                element("span", {text: Math.round(legend.max) + " " + legend.unit})),
        element("small", {text: T.total + " " + legend.total}));
    }

    async function refreshHeat() {
      const {metric, query} = heatParams();
      const base = "/tiles/heat/" + metric;
      const firstVector = grid.overlays.find((o) => o.inspect) && grid.overlays.find((o) => o.inspect).styleIds[0];
      let legend = null;
      try {
        legend = rampLegend(await fetchJSON(base + "/legend.json?" + query));
      } catch (error) {
        legend = element("small", {text: T.noHeat});
      }
      grid.addOverlay({id: "heat", title: T.heat, before: firstVector, legend,
                       source: {type: "raster", tiles: [base + "/{z}/{x}/{y}.png?" + query], tileSize: 256},
                       layers: [{type: "raster", paint: {"raster-opacity": 0.8}}]});
      if ($("heat-hex").checked) {
        grid.addOverlay({id: "heat-hex", title: T.hexagons, inspect: true, legend: null,
                         source: {type: "vector", tiles: [base + "/hex/{z}/{x}/{y}.pbf?" + query]},
                         layers: [{type: "fill", "source-layer": "heat-hex",
                                   paint: {"fill-color": ["interpolate", ["linear"], ["get", "density"],
                                                          0, "#fff7bc", 2000, "#fec44f", 10000, "#d95f0e", 30000, "#7f0000"],
                                           "fill-opacity": 0.55, "fill-outline-color": "#ffffff"}}]});
      } else {
        grid.removeOverlay("heat-hex");
        grid.renderPanel();
      }
      $("heat-geotiff").href = base + ".tif?" + query;
    }

    function renderStats(stats) {
      state.area = stats.area;
      state.children = stats.children;
      state.tags = stats.tags;
      $("area-name").textContent = stats.area.name + " · " + stats.area.level_display;
      $("area-report").href = "/reports/areas/" + stats.area.id + "/";
      $("breadcrumb").replaceChildren(...state.trail.slice(0, -1).map((area) =>
        element("a", {text: area.name + " ›", onclick: () => open(area.id, true)})));
      const [, tag] = state.metric.split(":");
      const tagInfo = stats.tags.find((t) => t.code === (tag || "elderly")) || stats.tags[0];
      const tagCode = tagInfo ? tagInfo.code : null;
      $("tag-column").textContent = tagInfo ? tagInfo.name : T.keyGroup;
      const totals = stats.totals;
      $("totals").replaceChildren(...[[T.residents, totals.people], [T.buildings, totals.buildings],
        [T.houses, totals.houses], [T.keySites, totals.key_sites],
        ...stats.tags.filter((t) => totals.tags[t.code]).map((t) => [t.name, totals.tags[t.code]])]
        .flatMap(([label, value]) => [element("dt", {text: label}), element("dd", {text: value.toLocaleString()})]));
      $("children").tBodies[0].replaceChildren(...stats.children.map((child) => element("tr",
        {onclick: () => open(child.id), "data-area": child.code},
        element("td", {text: child.name}), element("td", {text: child.people.toLocaleString()}),
        element("td", {text: (child.tags[tagCode] || 0).toLocaleString()}),
        element("td", {text: child.buildings.toLocaleString()}), element("td", {text: child.key_sites.toLocaleString()}))));
      $("children-title").textContent = stats.children.length ? T.subAreas : T.noSubAreas;
      chart.data.labels = stats.children.map((c) => c.name);
      chart.data.datasets[0].data = stats.children.map((c) => c.people);
      chart.data.datasets[1].label = tagInfo ? tagInfo.name : T.keyGroup;
      chart.data.datasets[1].data = stats.children.map((c) => c.tags[tagCode] || 0);
      chart.update();
      const select = $("heat-metric");
      if (select.options.length === 1) {
        stats.tags.forEach((t) => select.append(element("option", {value: "tag:" + t.code, text: t.name})));
        (config.heatMetrics || []).forEach((m) => select.append(element("option", {value: m.code, text: m.title})));
      }
    }

    // The sub-area level case metrics are grouped by, and the code prefix of an area's subtree.
    const CHILD_GROUP = {2: "street", 3: "community", 4: "cell", 5: "cell"};
    const PREFIX = {2: 6, 3: 9, 4: 12, 5: 15};

    async function renderCases(area) {
      if (!config.caseMetricsUrl) return;
      const today = new Date();
      const since = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-01";
      const body = await fetchJSON(config.caseMetricsUrl + "?by=" + CHILD_GROUP[area.level] + "&since=" + since);
      const prefix = area.code.slice(0, PREFIX[area.level]);
      const rows = body.rows.filter((r) => r.key && r.key.startsWith(prefix));
      const rate = (value) => (value === null ? "—" : value.toFixed(2) + "%");
      $("cases-box").hidden = false;
      $("cases").querySelector("tbody").replaceChildren(...(rows.length ? rows.map((r) => element("tr", {},
        element("td", {text: r.name}), element("td", {text: r.filed}), element("td", {text: r.due}),
        element("td", {text: r.closed}), element("td", {text: rate(r.closure_rate)}),
        element("td", {text: rate(r.on_time_rate)}))) : [element("tr", {}, element("td", {colspan: "6", text: T.noCases}))]));
    }

    async function open(areaId, back) {
      const stats = await fetchJSON(config.statsUrl + areaId + "/");
      if (back) state.trail = state.trail.slice(0, state.trail.findIndex((a) => a.id === areaId) + 1);
      else state.trail.push({id: stats.area.id, name: stats.area.name});
      renderStats(stats);
      renderCases(stats.area);
      grid.map.fitBounds(stats.area.bbox, {padding: 30});
      refreshHeat();
    }

    $("heat-metric").addEventListener("change", (e) => { state.metric = e.target.value; refreshHeat(); });
    ["heat-since", "heat-until", "heat-hex"].forEach((id) => $(id).addEventListener("change", refreshHeat));
    if (config.startArea) open(config.startArea);
  });
})();
