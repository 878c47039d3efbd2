/*
 * The frame's small behaviours, for every page (loaded by gis_core/base.html). A static
 * file: the Content-Security-Policy allows no inline code.
 *
 * - A button with data-sheet-toggle="<id>" opens and closes the element with that id (a
 *   bottom sheet, the top bar's menu): the class "open" on it, its `hidden` attribute when
 *   it started hidden, and the button's aria-expanded.
 * - A link with data-back goes back in the browser's history when there is one (else it
 *   follows its href).
 * - window.toast(message, kind): a short message at the bottom of the screen; kind is
 *   "ok", "warn" or "danger" (optional).
 */
(() => {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sheet-toggle]");
    if (button) {
      const target = document.getElementById(button.dataset.sheetToggle);
      if (!target) return;
      if (target.hasAttribute("hidden")) target.dataset.sheetHides = "";
      const open = !target.classList.contains("open");
      target.classList.toggle("open", open);
      if ("sheetHides" in target.dataset) target.hidden = !open;
      document.querySelectorAll(`[data-sheet-toggle="${button.dataset.sheetToggle}"]`)
        .forEach((b) => b.setAttribute("aria-expanded", String(open)));
      return;
    }
    const back = event.target.closest("a[data-back]");
    if (back && window.history.length > 1 && document.referrer.startsWith(window.location.origin)) {
      event.preventDefault();
      window.history.back();
    }
  });

  let box = null;
  window.toast = (message, kind) => {
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    const item = document.createElement("div");
    item.className = "toast" + (kind ? ` toast-${kind}` : "");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(() => item.remove(), kind === "danger" ? 8000 : 4000);
    return item;
  };
})();
