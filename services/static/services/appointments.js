/*
 * The daily list of a desk (今日预约): mark attended / no-show, cancel (POST
 * /api/v1/appointments/{id}/mark/ and …/cancel/), book by phone for this desk
 * (BookingSlots, POST /api/v1/appointments/); the page reloads to show the day as it is.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("appointments-config").textContent);
  const L = config.labels;
  const $ = (id) => document.getElementById(id);
  const reasons = (body) => Object.values(body || {}).flat().filter((r) => typeof r === "string").join(" ");

  function show(id, text) { const p = $(id); if (p) { p.textContent = text; p.hidden = !text; } }

  async function send(url, body, errorId) {
    let answer;
    try { answer = await GridApi.post(url, body); } catch (e) { show(errorId, L.failed); return false; }
    if (!answer.ok) { show(errorId, reasons(answer.body)); return false; }
    return true;
  }

  const list = $("day-list");
  if (list) list.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    const row = button && button.closest("tr[data-id]");
    if (!row) return;
    const base = `/api/v1/appointments/${row.dataset.id}/`;
    let done = false;
    if (button.dataset.mark) done = await send(`${base}mark/`, {state: button.dataset.mark}, "list-error");
    else if ("cancel" in button.dataset) {
      const note = window.prompt(L.cancelReason, "");
      if (note === null) return;
      done = await send(`${base}cancel/`, {note}, "list-error");
    }
    if (done) window.location.reload();
  });

  const desk = $("day-desk");
  if (desk) desk.addEventListener("change", () => $("day-form").submit());

  const form = $("phone-form");
  if (!form) return;
  let chosen = null;
  async function refresh() {
    chosen = null;
    if (!$("phone-item").value) return;
    $("phone-slots").replaceChildren(L.loading);
    let answer;
    try {
      answer = await BookingSlots.load({item: $("phone-item").value, desk: config.desk, date_from: config.date,
                                        date_to: config.date});
    } catch (e) { show("phone-error", L.failed); return; }
    if (!answer.ok) { $("phone-slots").replaceChildren(); show("phone-error", reasons(answer.body)); return; }
    show("phone-error", "");
    BookingSlots.render($("phone-slots"), answer.body, (slot) => { chosen = slot; }, L);
  }
  $("phone-item").addEventListener("change", refresh);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {item: $("phone-item").value, centre: config.centre, desk: config.desk,
                  start: chosen ? chosen.start : null, name: $("phone-name").value, phone: $("phone-number").value,
                  channel: $("phone-channel").value};
    if (await send("/api/v1/appointments/", body, "phone-error")) window.location.reload();
  });
})();
