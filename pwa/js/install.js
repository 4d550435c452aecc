/*
 * "Install app" where the browser offers it (Chromium on Android: `beforeinstallprompt`). The
 * browser's own offer is held back and kept, so the app can make it at a good moment, on Today;
 * `appinstalled` or running installed ends it. iPhones have no such event: they get written
 * install advice instead (ui/banners.js). Emits 'changed' on `events`; never touches the DOM.
 */
import { isStandalone } from './device.js';

export const events = new EventTarget();

let offer = null;       // the browser's deferred install prompt
let installed = false;

window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();   // no mini-infobar: the app asks in its own words
  offer = event;
  events.dispatchEvent(new Event('changed'));
});

window.addEventListener('appinstalled', () => {
  installed = true;
  offer = null;
  events.dispatchEvent(new Event('changed'));
});

/** Can the app offer "Install app" now? */
export function canOffer() {
  return Boolean(offer) && !installed && !isStandalone();
}

/** Show the browser's install dialog: 'accepted', 'dismissed' or 'unavailable'. A prompt can
 * be shown once only; the browser makes a new offer later if it still can. */
export async function prompt() {
  if (!offer) return 'unavailable';
  const shown = offer;
  offer = null;
  await shown.prompt();
  const { outcome } = await shown.userChoice;
  if (outcome === 'accepted') installed = true;
  events.dispatchEvent(new Event('changed'));
  return outcome;
}
