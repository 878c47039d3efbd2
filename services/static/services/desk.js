/*
 * The one-stop desk: file an application (the applicant from the roll or registered here,
 * the item, its materials checklist, scans), the queue of the desk's applications by due
 * date, and one application with the actions the user may take. Talks to
 * /api/v1/applications/ (GridApi.post with the CSRF token).
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("desk-config").textContent);
  const L = config.labels;
  const $ = (id) => document.getElementById(id);
  const items = new Map(config.items.map((i) => [i.code, i]));
  let person = null;
  let current = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "dataset") Object.assign(node.dataset, v); else if (k in node) node[k] = v; else node.setAttribute(k, v);
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  function materialText(m) {
    const need = m.required ? L.required : `${L.conditional} ${m.condition}`;
    return `${m.name}（${L[m.form] || m.form} ${m.copies} ${L.copies}，${need}）`;
  }

  // ------------------------------------------------------------------ filing
  if (config.may_file) {
    const itemSelect = $("item");
    config.items.forEach((i) => itemSelect.append(el("option", {value: i.code}, `${i.name}（${i.promised_days}）`)));
    config.communities.forEach((a) => $("area").append(el("option", {value: a.id}, a.name)));
    itemSelect.addEventListener("change", () => {
      const item = items.get(itemSelect.value);
      const list = $("checklist");
      list.replaceChildren();
      $("checklist-box").hidden = !item;
      if (!item) return;
      item.materials.forEach((m) => list.append(el("li", {}, el("label", {},
        el("input", {type: "checkbox", value: m.id, name: "received"}), materialText(m)))));
    });

    async function findPeople() {
      const q = $("person-search").value.trim();
      if (!q) return;
      const response = await fetch(`/api/v1/people/?search=${encodeURIComponent(q)}&page_size=10`,
        {credentials: "same-origin", headers: {Accept: "application/json"}});
      const body = await response.json().catch(() => ({}));
      const rows = body.results || body.features || [];
      const list = $("person-results");
      list.replaceChildren();
      if (!rows.length) list.append(el("li", {className: "muted"}, L.noPerson));
      rows.forEach((row) => {
        const p = row.properties ? {id: row.id, ...row.properties} : row;
        list.append(el("li", {}, el("button", {type: "button", className: "btn", onclick: () => {
          person = p;
          $("person-chosen").textContent = `${L.chosen}: ${p.name}`;
          $("person-chosen").hidden = false;
          list.replaceChildren();
        }}, `${p.name} ${p.id_number || ""}`)));
      });
    }
    $("person-find").addEventListener("click", findPeople);
    $("person-search").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); findPeople(); } });

    $("file-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData();
      form.append("item", itemSelect.value);
      if (person) form.append("person", person.id);
      else {
        form.append("applicant_name", $("applicant-name").value);
        form.append("applicant_id_number", $("applicant-id").value);
        form.append("applicant_phone", $("applicant-phone").value);
        form.append("area", $("area").value);
      }
      document.querySelectorAll("#checklist input:checked").forEach((c) => form.append("received", c.value));
      Array.from($("scans").files).forEach((f) => form.append("scans", f));
      form.append("note", $("file-note").value);
      $("file-error").hidden = true;
      let answer;
      try { answer = await GridApi.post("/api/v1/applications/", form); } catch (e) {
        $("file-error").textContent = L.failed; $("file-error").hidden = false; return;
      }
      if (!answer.ok) { $("file-error").textContent = GridApi.errorText(answer.body); $("file-error").hidden = false; return; }
      const a = answer.body;
      document.querySelector("[data-testid=application-number]").textContent = a.number;
      $("file-state").textContent = a.state_display;
      $("receipt-link").href = a.receipt_url;
      $("notice-link").href = a.notice_url;
      $("notice-link").hidden = a.state !== "correction";
      $("file-result").hidden = false;
      if (window.toast) window.toast(`${L.filed}: ${a.number}`, "ok");
      loadQueue();
      show(a);
    });
  }

  // ------------------------------------------------------------------ queue
  async function loadQueue() {
    const filter = $("queue-filter").value;
    const response = await fetch(`/api/v1/applications/?${filter}&ordering=due_date&page_size=200`,
      {credentials: "same-origin", headers: {Accept: "application/json"}});
    const body = await response.json().catch(() => ({}));
    const tbody = document.querySelector("#queue tbody");
    tbody.replaceChildren();
    const rows = body.results || [];
    if (!rows.length) tbody.append(el("tr", {}, el("td", {colSpan: 5, className: "muted"}, L.empty)));
    const kinds = {late: "badge-danger", due_soon: "badge-warn", paused: "badge-muted", on_time: "badge-ok", closed: "badge-muted"};
    rows.forEach((a) => tbody.append(el("tr", {dataset: {id: a.id}, onclick: () => open(a.id)},
      el("td", {}, a.number), el("td", {}, a.item_name), el("td", {}, a.applicant_name),
      el("td", {}, a.state_display),
      el("td", {}, a.due_date, " ", el("span", {className: `badge ${kinds[a.time_state] || ""}`}, L[a.time_state] || "")))));
  }
  $("queue-filter").addEventListener("change", loadQueue);

  // ------------------------------------------------------------------ one application
  async function open(id) {
    const response = await fetch(`/api/v1/applications/${id}/`, {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (response.ok) show(await response.json());
  }

  function show(a) {
    current = a;
    $("detail").hidden = false;
    $("detail-title").textContent = `${a.number} · ${a.item_name} · ${a.applicant_name}`;
    $("detail-state").textContent = a.state_display;
    $("detail-due").textContent = `${L.due} ${a.due_date}`;
    $("detail-receipt").href = a.receipt_url;
    $("detail-notice").href = a.notice_url;
    const fields = new Set(a.actions.flatMap((x) => x.fields));
    $("detail-checklist").replaceChildren(...a.checklist.map((m) => el("li", {}, el("label", {},
      el("input", {type: "checkbox", value: m.material || "", checked: m.received, disabled: !fields.has("received")}),
      materialText(m)))));
    const dept = $("act-department");
    dept.replaceChildren(...config.departments.map((d) => el("option", {value: d.code}, d.name)));
    dept.value = a.department || items.get(a.item_code)?.department || "";
    dept.closest(".form").querySelector("label[for=act-department]").hidden = dept.hidden = !fields.has("department");
    $("detail-actions").replaceChildren(...a.actions.map((x) => el("button", {
      type: "button", className: `btn ${["reject", "not_accept", "withdraw"].includes(x.name) ? "btn-danger" : "btn-primary"}`,
      dataset: {action: x.name}, onclick: () => act(x)}, x.label)));
    showRating(a);
    $("detail-steps").replaceChildren(...a.steps.map((s) => el("li", {},
      `${new Date(s.at).toLocaleString()} · ${s.action_display}${s.actor ? " · " + s.actor : ""}${s.note ? " · " + s.note : ""}`)));
    document.querySelectorAll("#queue tbody tr").forEach((r) => r.classList.toggle("selected", r.dataset.id === String(a.id)));
  }

  async function act(action) {
    const body = {action: action.name, version: current.version, note: $("act-note").value};
    if (action.fields.includes("received")) {
      body.received = Array.from(document.querySelectorAll("#detail-checklist input:checked")).map((c) => Number(c.value)).filter(Boolean);
    }
    if (action.fields.includes("department")) body.department = $("act-department").value;
    let answer;
    try { answer = await GridApi.post(`/api/v1/applications/${current.id}/act/`, body); } catch (e) {
      if (window.toast) window.toast(L.failed, "danger"); return;
    }
    if (answer.status === 409) { if (window.toast) window.toast(L.conflict, "warn"); show(answer.body.application); return; }
    if (!answer.ok) { if (window.toast) window.toast(GridApi.errorText(answer.body), "danger"); else alert(GridApi.errorText(answer.body)); return; }
    $("act-note").value = "";
    if (answer.body.number) show(answer.body); else $("detail").hidden = true;
    loadQueue();
  }

  // ------------------------------------------------------------------ rating and follow-ups
  config.levels.forEach((l) => $("rate-level").append(el("option", {value: l.value}, l.label)));

  function showRating(a) {
    $("detail-rating").hidden = !(a.rating || a.may_rate);
    $("rating-shown").hidden = !a.rating;
    if (a.rating) {
      $("rating-shown").textContent = `${L.rated}: ${a.rating.level_display} · ${a.rating.channel_display}` +
        (a.rating.comment ? ` · ${a.rating.comment}` : "") + (a.followup ? ` · ${L.followup}: ${a.followup.state_display}` : "");
    }
    $("rate-form").hidden = !a.may_rate;
  }

  $("rate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let answer;
    try {
      answer = await GridApi.post(`/api/v1/applications/${current.id}/rate/`,
        {level: Number($("rate-level").value), comment: $("rate-comment").value});
    } catch (e) { if (window.toast) window.toast(L.failed, "danger"); return; }
    if (!answer.ok) { if (window.toast) window.toast(GridApi.errorText(answer.body), "danger"); return; }
    $("rate-comment").value = "";
    show(answer.body);
    loadFollowups();
  });

  async function loadFollowups() {
    if (!config.followupsUrl) return;
    const response = await fetch(config.followupsUrl, {credentials: "same-origin", headers: {Accept: "application/json"}});
    const body = await response.json().catch(() => ({}));
    const rows = body.results || [];
    $("followups").hidden = !rows.length;
    $("followup-list").replaceChildren(...rows.map((f) => {
      const item = el("li", {className: "card", dataset: {id: f.id}},
        el("p", {}, el("strong", {}, f.number), ` · ${f.item_name} · ${f.area_name} · `,
          el("span", {className: "badge badge-danger"}, f.level_display), f.comment ? ` · ${f.comment}` : ""));
      if (f.may_close) {
        const outcome = el("textarea", {rows: 2, "aria-label": L.outcome, placeholder: L.outcome});
        item.append(outcome, el("button", {type: "button", className: "btn btn-small", onclick: async () => {
          const answer = await GridApi.post(`/api/v1/application-followups/${f.id}/close/`, {outcome: outcome.value});
          if (!answer.ok) { if (window.toast) window.toast(GridApi.errorText(answer.body), "danger"); return; }
          loadFollowups();
        }}, L.close));
      }
      return item;
    }));
  }

  $("late-count").addEventListener("click", () => { $("queue-filter").value = "time_state=late"; loadQueue(); });
  const params = new URLSearchParams(location.search);
  if (params.get("show") === "late") $("queue-filter").value = "time_state=late";
  if (params.get("application")) open(params.get("application"));
  loadQueue();
  loadFollowups();
})();
