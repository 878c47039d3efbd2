/*
 * My cell (grids/templates/grids/my_cell.html) on GridMap: my tasks (config.tasksUrl), the
 * cell's buildings linking to their pages, a people search linking to people's pages, and
 * the elders' terminals as an overlay (config.terminalsUrl, when the role reads them).
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

  if (config.terminalsUrl) {
    GridMap.ready.then((grid) => fetchJSON(config.terminalsUrl).then((collection) => grid.addOverlay({
      id: "my-terminals", title: L.terminals, source: {type: "geojson", data: collection},
      layers: [{type: "circle", paint: {"circle-radius": 5, "circle-color": "#8e44ad",
                                        "circle-stroke-color": "#fff", "circle-stroke-width": 1.5}}],
      legend: [[L.terminals, "#8e44ad"]], inspect: true,
    })));
  }
})();
