/*
 * The noticeboard screen: shows one notice at a time and moves on every data-seconds,
 * keeps a clock, reloads the page every data-reload seconds for new notices, and registers
 * the service worker (screens/worker.js) that serves the last page when offline.
 */
(function () {
  "use strict";
  const body = document.body;
  const notices = [...document.querySelectorAll(".screen-notice")];
  const counter = document.getElementById("screen-page");
  let current = 0;

  function show(index) {
    notices.forEach((notice, i) => { notice.hidden = i !== index; });
    if (counter) counter.textContent = `${index + 1} ${counter.dataset.of} ${notices.length}`;
  }
  if (notices.length > 1) {
    show(0);
    setInterval(() => { current = (current + 1) % notices.length; show(current); },
                Number(body.dataset.seconds) * 1000);
  }

  const clock = document.getElementById("screen-clock");
  const tick = () => {
    clock.textContent = new Date().toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false,
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  };
  tick();
  setInterval(tick, 15000);

  // Offline when the server does not answer (a HEAD request: the service worker leaves it
  // to the network), whatever navigator.onLine says.
  const offline = document.getElementById("screen-offline");
  const check = () => fetch(window.location.pathname, {method: "HEAD", cache: "no-store"})
    .then(() => { offline.hidden = true; }, () => { offline.hidden = false; });
  window.addEventListener("online", check);
  window.addEventListener("offline", check);
  check();
  setInterval(check, 30000);
  // A new look every few minutes; offline the service worker answers with the last page.
  setTimeout(() => window.location.reload(), Number(body.dataset.reload) * 1000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.worker, {scope: "/screens/"}).catch(() => {});
  }
})();
