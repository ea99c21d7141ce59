// motor-ledger service worker (generated at build time from web/src/sw-template.js): keeps the app shell
// (index.html and every built file) so a handheld opens the screens with no network. API calls (/v1/…) are
// never cached: a verdict always comes from the server, and a scan made offline waits in IndexedDB, not here.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = `motor-ledger-shell-${VERSION}`;
const API = /^\/(v1|epcis|docs|healthz|readyz|\.well-known)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('motor-ledger-shell-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || API.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    // A page: the network's copy when there is one (a new build), else the shell.
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match('/index.html'))),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit ?? fetch(request))),
  );
});
