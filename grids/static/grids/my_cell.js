/*
 * My cell (grids/templates/grids/my_cell.html) on GridMap: my tasks (config.tasksUrl), the
 * cell's buildings linking to their pages, a people search linking to people's pages, and
 * the elders' terminals as an overlay (config.terminalsUrl, when the role reads them), the
 * cell's key sites and organizations, and a public-sentiment note (民情日志) placed at the
 * device's GPS position or a point tapped on the map (POST config.visitsUrl).
 */
(function () {
  "use strict";
  const {config, fetchJSON, element} = GridMap;
  const L = config.workspaceLabels;
  const $ = (id) => document.getElementById(id);
  const page = (template, id) => template.replace("{id}", id);

  function task(id, title, body, link) {
    const box = $(id);
    box.querySelector("summary").replaceChildren(document.createTextNode(title + " "),
      element("span", {class: "task-count", text: String(body.count)}));
    box.querySelector("ul").replaceChildren(...body.items.map((item) => element("li", {},
      link ? element("a", {href: page(link, item.id), text: item.label}) : element("span", {text: item.label}))));
  }

  fetchJSON(config.tasksUrl).then((tasks) => {
    task("task-unvisited", L.unvisitedAlone.replace("%(days)s", tasks.days), tasks.unvisited_alone, config.personPage);
    task("task-empty", L.emptyHouses, tasks.empty_houses, null);
    task("task-unverified", L.unverified, tasks.unverified, config.personPage);
  });

  fetchJSON(config.buildingsUrl + "?page_size=1000&ordering=name").then((body) => {
    $("building-count").textContent = body.count;
    $("building-list").replaceChildren(...body.features.map((f) => element("li", {},
      element("a", {href: page(config.buildingPage, f.id),
                    text: f.properties.name + " · " + (f.properties.address || "") + " · " + L.residents + " "
                          + (f.properties.resident_count || 0)}))));
  });

  let timer = null;
  $("people-search").addEventListener("input", () => {
    clearTimeout(timer);
    const q = $("people-search").value.trim();
    if (!q) { $("people-results").replaceChildren(); return; }
    timer = setTimeout(() => fetchJSON(config.peopleUrl + "?page_size=20&search=" + encodeURIComponent(q)).then((body) => {
      const people = body.results || [];
      $("people-results").replaceChildren(...(people.length ? people.map((p) => element("li", {},
        element("a", {href: page(config.personPage, p.id), text: p.name + (p.id_number ? " · " + p.id_number : "")})))
        : [element("li", {class: "muted", text: L.noResults})]));
    }), 250);
  });

  Promise.all([fetchJSON(config.keySitesUrl + "?page_size=500"), fetchJSON(config.organizationsUrl + "?page_size=500")])
    .then(([sites, organizations]) => $("place-list").replaceChildren(
      ...[...sites.features, ...organizations.features].map((f) => element("li", {},
        element("span", {text: f.properties.name + " · " + (f.properties.category_name || f.properties.kind_display
                                                            || f.properties.kind || "")})))));

  /* the note's place: the GPS fix when there is one, else the last point tapped */
  const where = {lon: null, lat: null};
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition((p) => { where.lon = p.coords.longitude; where.lat = p.coords.latitude; },
                                             () => {}, {enableHighAccuracy: true, timeout: 8000});
  }
  GridMap.ready.then((grid) => grid.map.on("click", (e) => { where.lon = e.lngLat.lng; where.lat = e.lngLat.lat; }));
  $("note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    GridApi.post(config.visitsUrl, {kind: "sentiment", notes: $("note-text").value, ...where})
      .then(({ok, body}) => {
        $("note-message").hidden = false;
        $("note-message").textContent = ok ? L.saved : GridApi.errorText(body);
        if (ok) $("note-text").value = "";
      }).catch(() => { $("note-message").hidden = false; $("note-message").textContent = L.failed; });
  });

  if (config.terminalsUrl) {
    GridMap.ready.then((grid) => fetchJSON(config.terminalsUrl).then((collection) => grid.addOverlay({
      id: "my-terminals", title: L.terminals, source: {type: "geojson", data: collection},
      layers: [{type: "circle", paint: {"circle-radius": 5, "circle-color": "#8e44ad",
                                        "circle-stroke-color": "#fff", "circle-stroke-width": 1.5}}],
      legend: [[L.terminals, "#8e44ad"]], inspect: true,
    })));
  }
})();
