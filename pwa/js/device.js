/*
 * What this phone and browser can promise about keeping data: persistent storage, free
 * space, and whether this is an iPhone Safari tab (whose storage is separate from the Home
 * Screen app's and may be deleted after 7 days without a visit). Reports facts; the
 * controller decides what to tell the person.
 */

const LOW_SPACE_BYTES = 50 * 1024 * 1024;

/** Ask for storage the browser will not clear under pressure: 'granted', 'refused' or 'unsupported'. */
export async function askPersistentStorage() {
  if (!navigator.storage || !navigator.storage.persist) return 'unsupported';
  if (await navigator.storage.persisted()) return 'granted';
  return (await navigator.storage.persist()) ? 'granted' : 'refused';
}

/** True when free space for this app is running out. */
export async function storageLow() {
  if (!navigator.storage || !navigator.storage.estimate) return false;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  return quota > 0 && (quota - usage < LOW_SPACE_BYTES || usage / quota > 0.9);
}

export function isIos() {
  const ua = navigator.userAgent;
  return /iPad|iPhone|iPod/.test(ua) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
}

export function isStandalone() {
  return navigator.standalone === true || window.matchMedia('(display-mode: standalone)').matches;
}

/** An iPhone or iPad Safari tab, not the app installed on the Home Screen. */
export function isIosSafariTab() {
  return isIos() && !isStandalone();
}
