/*
 * Registers the service worker and tells the page when a new version is waiting. The new
 * version never takes over by itself: `applyUpdate()` is called by the controller only after
 * the person accepted and their draft was saved, and the page reloads once it has taken over.
 */

export const events = new EventTarget();

let registration = null;

function announce() {
  if (registration && registration.waiting && navigator.serviceWorker.controller) {
    events.dispatchEvent(new CustomEvent('update-ready'));
  }
}

export async function register() {
  if (!('serviceWorker' in navigator)) return null;
  registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  announce();
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'installed') announce();
    });
  });
  return registration;
}

/** Look for a new version now (also done by the browser on each navigation). */
export function checkForUpdate() {
  return registration ? registration.update().catch(() => null) : Promise.resolve(null);
}

export function applyUpdate() {
  const waiting = registration && registration.waiting;
  if (!waiting) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  waiting.postMessage({ type: 'apply-update' });
}
