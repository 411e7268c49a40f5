// The service worker: keeps the app's own files so the page opens without a network. Network
// first (the server asks every load to revalidate, and a deploy must not mix old and new
// modules), this copy when the network fails. The API is never answered from here: its
// requests pass straight through, and the tasks themselves are kept by the page (IndexedDB).

const CACHE = "todo-app-v2";
// Every file the page loads, config.json included (tests/test_webapp.py checks this list).
const FILES = [
  "index.html", "app.css", "config.json",
  "js/api.js", "js/auth.js", "js/checklist.js", "js/conflict.js", "js/db.js", "js/editor.js",
  "js/feedback.js", "js/filters.js", "js/list.js", "js/lists.js", "js/main.js", "js/queue.js", "js/replica.js",
  "js/share.js", "js/sync.js", "js/when.js",
];

const scope = new URL(self.registration.scope);
/** The cached name of an app file ("/" is index.html), or null for anything else. */
function fileOf(url) {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  const name = url.pathname.slice(scope.pathname.length) || "index.html";
  return FILES.includes(name) ? name : null;
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const name = event.request.method === "GET" ? fileOf(new URL(event.request.url)) : null;
  if (!name) return; // the API, the sign-in: the network, untouched
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok) await cache.put(name, response.clone());
      return response;
    } catch (error) {
      const kept = await cache.match(name);
      if (kept) return kept;
      throw error;
    }
  })());
});
