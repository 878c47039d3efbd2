/* The print button of the receipt and the one-time notice (no inline script: CSP). */
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
