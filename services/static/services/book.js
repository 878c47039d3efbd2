/*
 * The resident's booking page: item (preselected by ?item=), day, a free time of a centre
 * (BookingSlots), name and phone → POST /api/v1/booking/ → the booking number. The receipt
 * replaces the form once booked: a second tap books nothing.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("book-config").textContent);
  const L = config.labels;
  const $ = (id) => document.getElementById(id);
  let chosen = null;

  function error(text) { $("book-error").textContent = text; $("book-error").hidden = !text; }
  // The reasons alone: each says in words what is wrong (field names are for programs).
  function reasons(body) { return Object.values(body || {}).flat().filter((r) => typeof r === "string").join(" "); }

  async function refresh() {
    chosen = null;
    const item = $("book-item").value;
    if (!item || !$("book-date").value) return;
    $("book-slots").replaceChildren(L.loading);
    let answer;
    try {
      answer = await BookingSlots.load({item, date_from: $("book-date").value, date_to: $("book-date").value});
    } catch (e) { error(L.failed); return; }
    if (!answer.ok) { $("book-slots").replaceChildren(); error(reasons(answer.body)); return; }
    error("");
    BookingSlots.render($("book-slots"), answer.body, (slot, centre) => { chosen = {slot, centre}; }, L);
  }

  $("book-item").addEventListener("change", refresh);
  $("book-date").addEventListener("change", refresh);
  if (config.item) refresh();

  $("book-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {item: $("book-item").value, centre: chosen ? chosen.slot.centre : null,
                  start: chosen ? chosen.slot.start : null, name: $("book-name").value, phone: $("book-phone").value};
    $("book-submit").disabled = true;
    let answer;
    try { answer = await GridApi.post("/api/v1/booking/", body); } catch (e) { answer = null; }
    $("book-submit").disabled = false;
    if (!answer) { error(L.failed); return; }
    if (!answer.ok) {
      error(reasons(answer.body));
      if (answer.status === 409) refresh();
      return;
    }
    const b = answer.body;
    document.querySelector("[data-testid=booking-number]").textContent = b.number;
    $("done-item").textContent = b.item_name;
    $("done-time").textContent = `${b.start.slice(0, 10)} ${BookingSlots.time(b.start)}–${BookingSlots.time(b.end)}`;
    $("done-centre").textContent = b.centre_name + (b.centre_phone ? `（${b.centre_phone}）` : "");
    $("done-address").textContent = b.centre_address;
    $("done-desk").textContent = b.desk_name;
    $("book-card").hidden = true;
    $("book-done").hidden = false;
    $("book-done").scrollIntoView();
    if (window.toast) window.toast(`${L.booked}: ${b.number}`, "ok");
  });
})();
