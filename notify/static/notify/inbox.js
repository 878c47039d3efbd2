// The unread count in the top bar, refreshed every 30 s; "mark all read" on the inbox page.
(function () {
  "use strict";
  var POLL_MS = 30000;

  function refresh(link) {
    fetch(link.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var badge = link.querySelector(".inbox-badge");
        badge.textContent = data.unread;
        badge.classList.toggle("empty", !data.unread);
      })
      .catch(function () { /* offline: try again at the next tick */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var link = document.querySelector(".inbox-link");
    if (link) { setInterval(function () { refresh(link); }, POLL_MS); }
    var readAll = document.querySelector(".inbox-read-all");
    if (readAll) {
      readAll.addEventListener("click", function () {
        GridApi.post(readAll.dataset.readUrl, {}).then(function () { window.location.reload(); });
      });
    }
  });
})();
