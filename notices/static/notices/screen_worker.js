/*
 * The noticeboard screens' service worker (served as /screens/worker.js, scope /screens/):
 * network first, and the last answer kept, so a screen whose network is gone keeps
 * showing the notices it last received — the page and its stylesheet and script.
 */
const CACHE = "notice-screens-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/screens/") && !url.pathname.startsWith("/static/notices/")) return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request).then((cached) => cached || Response.error())),
  );
});
