/*
 * The handling desk on GridMap (incidents/templates/incidents/desk.html).
 *
 * - Queue: config.casesUrl with the filters (open cases by default), late ones first,
 *   reloaded every 30 s and after each action.
 * - Map: the live "cases" tile layer (from the server's index) coloured by lateness;
 *   clicking a case selects it; the tiles are reloaded after each action.
 * - Detail: the case, its photos and timeline, and one button per action the server says
 *   the user may take (``actions``), sent with the note, the fields the action needs and
 *   the version seen. A 409 shows the conflict message and the case as it now is.
 */
(function () {
  "use strict";
  const {config, fetchJSON, element} = GridMap;
  const $ = (id) => document.getElementById(id);
  const T = config.deskLabels;
  const REFRESH_MS = 30000;
  const FIELD_INPUTS = {department: "act-department", duplicate_of: "act-duplicate-of", hours: "act-hours",
                        rating: "act-rating", reporter_rating: "act-reporter-rating"};
  const state = {selected: null, detail: null, grid: null};
  window.CaseDesk = {state};

  const badgeClass = (status) => "badge " + (config.statusBadges[status] || "");
  const options = (select, entries) => select.replaceChildren(
    ...entries.map(([value, label]) => element("option", {value, text: label})));
  // Each filter names its "any" choice (全部状态 …), so a closed dropdown says what it filters.
  options($("filter-status"), [["open", T.open], ["", T.anyStatus], ...config.statuses]);
  options($("filter-time"), [["", T.anyTime], ...config.timeStates]);
  options($("filter-category"), [["", T.anyCategory], ...config.categories.map((c) => [c.code, c.name])]);
  options($("filter-department"), [["", T.anyDepartment], ...config.departments.map((d) => [d.code, d.name])]);
  options($("act-department"), config.departments.map((d) => [d.code, d.name]));

  function queueUrl() {
    const params = new URLSearchParams({page_size: "200", ordering: "due_at"});
    const status = $("filter-status").value;
    if (status === "open") params.set("open", "true");
    else if (status) params.set("status", status);
    [["filter-time", "time_state"], ["filter-category", "category"], ["filter-department", "department"],
     ["filter-search", "search"]].forEach(([id, name]) => { if ($(id).value) params.set(name, $(id).value); });
    return config.casesUrl + "?" + params;
  }

  const TIME_ORDER = {late: 0, due_soon: 1, on_time: 2};

  function loadQueue() {
    return fetchJSON(queueUrl()).then((body) => {
      const features = body.features.slice().sort((a, b) =>
        TIME_ORDER[a.properties.time_state] - TIME_ORDER[b.properties.time_state]);
      $("case-count").textContent = body.count;
      $("case-queue").replaceChildren(...(features.length ? features.map(row) : [element("li", {class: "muted", text: T.noCases})]));
    });
  }

  function row(feature) {
    const p = feature.properties;
    return element("li", {class: "case-row time-" + p.time_state + (feature.id === state.selected ? " selected" : ""),
                          "data-id": feature.id, tabindex: "0", onclick: () => select(feature.id, true),
                          onkeydown: (e) => e.key === "Enter" && select(feature.id, true)},
      element("div", {class: "case-head"}, element("strong", {text: p.tracking_number}),
              element("span", {class: badgeClass(p.status), text: p.status_display})),
      element("div", {text: p.category_name + " · " + p.cell_name}),
      element("div", {class: "muted", text: (p.due_at ? T.due + " " + p.due_at.slice(5, 16).replace("T", " ") : "")
                                            + (p.time_state !== "on_time" ? " · " + p.time_state_display : "")
                                            + (p.pending_request ? " · " + T.pending : "")}));
  }

  function select(id, fly) {
    state.selected = id;
    document.querySelectorAll(".case-row").forEach((li) => li.classList.toggle("selected", +li.dataset.id === id));
    return fetchJSON(config.casesUrl + id + "/").then((feature) => {
      render(feature);
      if (fly && state.grid && feature.geometry) {
        state.grid.map.flyTo({center: feature.geometry.coordinates, zoom: Math.max(state.grid.map.getZoom(), 16)});
      }
    });
  }

  function render(feature) {
    state.detail = feature;
    const p = feature.properties;
    $("case-detail").hidden = false;
    $("case-detail").dataset.caseId = feature.id;
    $("detail-number").textContent = p.tracking_number;
    $("detail-status").textContent = p.status_display;
    $("detail-status").className = badgeClass(p.status);
    $("detail-meta").textContent = [p.category_name, p.street_name + " " + p.community_name + " " + p.cell_name,
      p.department_name, T.reported + " " + p.reported_at.slice(0, 16).replace("T", " "),
      p.due_at ? T.due + " " + p.due_at.slice(0, 16).replace("T", " ") + " (" + p.time_state_display + ")" : "",
      p.pending_request ? T.pending + ": " + T[p.pending_request] + (p.pending_hours ? " +" + p.pending_hours + "h" : "") : ""]
      .filter(Boolean).join(" · ");
    $("detail-description").textContent = p.description + (p.address ? " (" + p.address + ")" : "");
    $("detail-reporter").textContent = p.reporter_name || p.reporter
      ? T.reporter + ": " + [p.reporter, p.reporter_name, p.reporter_phone].filter(Boolean).join(" ") : "";
    $("detail-photos").replaceChildren(...p.photos.map((photo) => element("a", {href: photo.url, target: "_blank"},
      element("img", {src: photo.url, alt: "", loading: "lazy", width: "96", height: "72"}))));
    $("detail-timeline").replaceChildren(...p.events.map((e) => element("li", {},
      element("time", {text: e.at.slice(0, 16).replace("T", " ")}),
      document.createTextNode(" " + e.action_display + (e.actor ? " · " + e.actor : "")),
      e.note ? element("div", {class: "muted", text: e.note}) : null)));
    $("act-department").value = p.department || p.proposed_department || $("act-department").value;
    $("detail-actions-box").hidden = !p.actions.length;
    putBackFields();
    $("detail-actions").replaceChildren(...p.actions.map((a) => element("div", {class: "case-action", "data-action-row": a.name},
      element("button", {type: "button", class: "btn", "data-action": a.name, text: a.label,
                         onclick: () => (a.fields.length ? choose(a) : act(a))}),
      element("div", {class: "action-fields", hidden: ""}))));
  }

  /* An action that needs fields (department, hours …) is chosen first: its fields and a
     send button appear beside it, every other action's are hidden. */
  function choose(action) {
    putBackFields();
    document.querySelectorAll("#detail-actions .case-action").forEach((row) => {
      const chosen = row.dataset.actionRow === action.name;
      row.classList.toggle("chosen", chosen);
      const box = row.querySelector(".action-fields");
      box.hidden = !chosen;
      if (!chosen) return;
      box.replaceChildren(...action.fields.map((field) => document.querySelector(`#action-fields label[data-for="${field}"]`)),
        element("button", {type: "button", class: "btn btn-primary", "data-send": action.name, text: T.send + " · " + action.label,
                           onclick: () => act(action)}));
    });
  }

  /* The fields go back to their hidden shelf before the actions are redrawn. */
  function putBackFields() {
    document.querySelectorAll("#detail-actions label[data-for]").forEach((label) => $("action-fields").append(label));
  }

  function act(action) {
    const feature = state.detail;
    const form = new FormData();
    form.append("action", action.name);
    form.append("version", feature.properties.version);
    form.append("note", $("act-note").value);
    action.fields.forEach((field) => form.append(field, $(FIELD_INPUTS[field]).value));
    [...$("act-photos").files].forEach((file) => form.append("photos", file));
    message("");
    document.querySelectorAll("#detail-actions button").forEach((b) => { b.disabled = true; });
    return GridApi.post(config.casesUrl + feature.id + "/act/", form).then(({ok, status, body}) => {
      if (ok) {
        $("act-note").value = "";
        $("act-photos").value = "";
        if (body.detail) { message(T.left); $("case-detail").hidden = true; } else render(body);
      } else if (status === 409) {
        message(T.conflict);
        render(body.case);
      } else {
        message(GridApi.errorText(body));
        render(feature);
      }
      refreshTiles();
      return loadQueue();
    }).catch(() => { message(T.failed); render(feature); });
  }

  function message(textContent) {
    $("act-message").hidden = !textContent;
    $("act-message").textContent = textContent;
  }

  function refreshTiles() {
    const source = state.grid && state.grid.map.getSource("src-cases");
    if (source && source.setTiles) source.setTiles(source.tiles);
  }

  $("filters").addEventListener("change", loadQueue);
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); loadQueue(); });
  loadQueue();
  setInterval(() => { loadQueue(); refreshTiles(); }, REFRESH_MS);

  GridMap.ready.then((grid) => {
    state.grid = grid;
    grid.map.on("click", (event) => {
      const layers = grid.overlays.filter((o) => o.id === "cases" && o.visible).flatMap((o) => o.styleIds);
      const hit = layers.length && grid.map.queryRenderedFeatures(event.point, {layers})[0];
      if (hit && hit.id != null) select(hit.id, false);
    });
  });
})();
