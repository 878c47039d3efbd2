/*
 * The bottom sheet of map pages on phones (gis_core/map_sheet.css): the panel
 * (aside.panel.sheet) sits over the map collapsed, half or full height. A tap on its handle
 * steps collapsed → half → full → collapsed; a drag follows the thumb and settles on the
 * nearest height. On phones the content of a side panel (aside.panel-side) moves into the
 * sheet, and back beside the map on wider screens (the same nodes: ids and listeners stay).
 * window.MapSheet.show(node) opens the sheet and scrolls node into view (a selection).
 */
(function () {
  "use strict";
  const STATES = ["collapsed", "half", "full"];
  const phone = window.matchMedia("(max-width: 760px)");
  const sheet = document.querySelector(".map-page > .panel.sheet");
  if (!sheet) return;
  const handle = sheet.querySelector(".sheet-handle");
  const body = sheet.querySelector(".sheet-body");
  const side = document.querySelector(".map-page > .panel-side");
  const moved = side ? [...side.children] : [];

  function setState(state) {
    sheet.dataset.sheetState = state;
    handle.setAttribute("aria-expanded", String(state !== "collapsed"));
  }

  function placeSide() {
    if (!side) return;
    if (phone.matches) {
      // the side panel's content first: it is what the page selected (an alert's detail)
      moved.slice().reverse().forEach((node) => body.prepend(node));
    } else {
      moved.forEach((node) => side.append(node));
    }
  }

  // ------------------------------------------------------------ tap and drag
  let start = null;  // {y, height, moved}
  handle.addEventListener("pointerdown", (event) => {
    if (!phone.matches) return;
    start = {y: event.clientY, height: sheet.getBoundingClientRect().height, moved: false};
    handle.setPointerCapture(event.pointerId);
  });
  handle.addEventListener("pointermove", (event) => {
    if (!start) return;
    const dy = start.y - event.clientY;
    if (!start.moved && Math.abs(dy) < 6) return;
    start.moved = true;
    sheet.classList.add("dragging");
    const limit = sheet.parentElement.getBoundingClientRect().height - 40;
    sheet.style.height = Math.max(56, Math.min(limit, start.height + dy)) + "px";
    if (sheet.dataset.sheetState === "collapsed") setState("half");  // show the content while dragging
  });
  function settle(event) {
    if (!start) return;
    const wasDrag = start.moved;
    start = null;
    sheet.classList.remove("dragging");
    if (!wasDrag) {
      setState(STATES[(STATES.indexOf(sheet.dataset.sheetState) + 1) % STATES.length]);
      return;
    }
    const total = sheet.parentElement.getBoundingClientRect().height;
    const height = sheet.getBoundingClientRect().height;
    sheet.style.height = "";
    const targets = {collapsed: 64, half: total / 2, full: total - 40};
    const nearest = Object.entries(targets).sort((a, b) => Math.abs(a[1] - height) - Math.abs(b[1] - height))[0][0];
    setState(nearest);
    if (event && event.pointerId != null && handle.hasPointerCapture(event.pointerId)) {
      handle.releasePointerCapture(event.pointerId);
    }
  }
  handle.addEventListener("pointerup", settle);
  handle.addEventListener("pointercancel", settle);
  // Keyboards: Enter/Space on the button (a click without a pointer) steps too.
  handle.addEventListener("click", (event) => {
    if (event.detail === 0) setState(STATES[(STATES.indexOf(sheet.dataset.sheetState) + 1) % STATES.length]);
  });

  setState(sheet.dataset.sheetState);  // the page may start it open (the dispatcher's queue)
  placeSide();
  phone.addEventListener("change", placeSide);

  // A tap on the map wants the map (and the popup it opens) in view: the sheet steps down.
  const mapNode = document.querySelector(".map-page > .map-fill");
  if (mapNode) {
    mapNode.addEventListener("click", () => {
      if (phone.matches && sheet.dataset.sheetState !== "collapsed") setState("collapsed");
    });
  }

  window.MapSheet = {
    setState,
    state: () => sheet.dataset.sheetState,
    /* How much of the map the sheet covers from the bottom (px; 0 beside the map). */
    covered: () => (phone.matches ? sheet.getBoundingClientRect().height : 0),
    /* Open the sheet (phones) so `node` shows; elsewhere just scroll it into view. */
    show(node) {
      if (phone.matches && sheet.dataset.sheetState !== "full") setState("half");
      if (node) node.scrollIntoView({block: "start"});
    },
  };
})();
