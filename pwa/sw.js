/*
 * The service worker: keeps a versioned copy of the app shell so the app starts with no
 * server at all. It caches only the shell's own files: API answers (visits, pupils,
 * anything about a child) are never cached here; they live in IndexedDB.
 *
 * A new version installs its cache and then waits. It takes over only when the page asks
 * (the person tapped "Update ready" after their draft was saved), never under an open form.
 */

const RELEASE = '1';
// Set by the server from PWA_BUILD (server/pwa_shell.py), so each deployment is a new version.
const BUILD = '__PWA_BUILD__';
const VERSION = BUILD ? `${RELEASE}-${BUILD}` : RELEASE;
const PREFIX = 'ap-visits-shell-';
const CACHE = `${PREFIX}${VERSION}`;

const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/shared_schemas/vocabulary.json',
  '/js/main.js',
  '/js/api.js',
  '/js/db.js',
  '/js/device.js',
  '/js/editor.js',
  '/js/install.js',
  '/js/labels.js',
  '/js/lock.js',
  '/js/outbox.js',
  '/js/photos.js',
  '/js/router.js',
  '/js/session.js',
  '/js/sync.js',
  '/js/update.js',
  '/js/forms/check.js',
  '/js/forms/items.js',
  '/js/ui/banners.js',
  '/js/ui/counter.js',
  '/js/ui/dom.js',
  '/js/ui/outbox-view.js',
  '/js/ui/placement.js',
  '/js/ui/provider.js',
  '/js/ui/review.js',
  '/js/ui/signin.js',
  '/js/ui/signout.js',
  '/js/ui/start.js',
  '/js/ui/status.js',
  '/js/ui/today.js',
  '/js/ui/visit-form.js',
];

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
