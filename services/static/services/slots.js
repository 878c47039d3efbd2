/*
 * BookingSlots: the free times of an item on a day, shared by the resident's booking page
 * and the staff's daily list. Reads GET /api/v1/booking/slots/ and draws one group of time
 * buttons per centre; a tap chooses the slot (centre, start, end).
 */
(function () {
  "use strict";

  async function load(params) {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
    const response = await fetch(`/api/v1/booking/slots/?${query}`, {credentials: "same-origin",
                                                                     headers: {Accept: "application/json"}});
    return {ok: response.ok, status: response.status, body: await response.json().catch(() => ({}))};
  }

  function time(iso) { return iso.slice(11, 16); }  // the answer's times are local (+08:00)

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    node.append(...children);
    return node;
  }

  /* Draw `body` (the slots answer) into `container`; `onPick(slot, centre)` on a tap. */
  function render(container, body, onPick, labels) {
    container.replaceChildren();
    const centres = new Map((body.centres || []).map((c) => [c.id, c]));
    const byCentre = new Map();
    (body.slots || []).forEach((s) => { if (!byCentre.has(s.centre)) byCentre.set(s.centre, []); byCentre.get(s.centre).push(s); });
    if (!byCentre.size) { container.append(el("p", {className: "muted"}, labels.none)); return; }
    byCentre.forEach((slots, id) => {
      const centre = centres.get(id) || {name: slots[0].centre_name, address: ""};
      const grid = el("div", {className: "slot-grid"});
      slots.forEach((slot) => {
        const button = el("button", {type: "button", className: "btn slot", title: `${slot.free} ${labels.free}`},
                          time(slot.start));
        button.dataset.start = slot.start;
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => {
          container.querySelectorAll("button.slot").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
          onPick(slot, centre);
        });
        grid.append(button);
      });
      container.append(el("div", {className: "slot-centre"}, el("h3", {}, centre.name),
                          centre.address ? el("p", {className: "muted"}, centre.address) : "", grid));
    });
  }

  window.BookingSlots = {load, render, time};
})();
