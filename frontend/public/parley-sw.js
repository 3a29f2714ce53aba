/*
 * Parley's service worker: Angular's (ngsw-worker.js, configured by frontend/ngsw-config.json),
 * except that requests to the server's API and socket never pass through it. Angular's worker
 * answers every request itself, API calls included: uploads would then be read into the worker
 * before reaching the network (their progress bars jump to 100 %), and a failed API call would
 * come back as a made-up 504 instead of a network error. Stopping the event here, before
 * Angular's listener, leaves these requests to the browser as if there were no worker.
 */
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin === self.location.origin && /^\/(api|socket\.io)(\/|$)/.test(url.pathname)) event.stopImmediatePropagation();
});

importScripts('./ngsw-worker.js');
