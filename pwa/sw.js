/*
 * The service worker: keeps a versioned copy of the app shell so the app starts with no
 * server at all. It caches only the shell's own files: API answers (visits, pupils,
 * anything about a child) are never cached here; they live in IndexedDB.
 *
 * A new version installs its cache and then waits. It takes over only when the page asks
 * (the person tapped "Update ready" after their draft was saved), never under an open form.
 */

// Both written by the server (server/pwa_shell.py): every file of the shell, and a hash of
// their contents, so each changed file is a new version and an unchanged deploy is not.
const VERSION = '__SHELL_VERSION__';
const SHELL = [/* __SHELL_FILES__ */];
const PREFIX = 'ap-visits-shell-';
const CACHE = `${PREFIX}${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'apply-update') self.skipWaiting();
  if (event.data && event.data.type === 'version') event.source?.postMessage({ type: 'version', version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/office')) return; // never cached
  if (request.mode === 'navigate') {
    event.respondWith(caches.match('/index.html', { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  if (!SHELL.includes(url.pathname)) return;
  event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});

// Background Sync (Chromium only) wakes the page's own sync loop; the page does the sending.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then((clients) => {
    for (const client of clients) client.postMessage({ type: 'sync-requested' });
  }));
});
