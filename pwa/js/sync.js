/*
 * The sync loop. It runs in the page (so it works on iPhones), drains the outbox through
 * api.js, then pulls the bootstrap snapshot. It never touches the DOM: it emits events on
 * `events` ('progress', 'visit', 'signin-needed', 'done') and the controller shows them.
 *
 * Rules (docs/sync-protocol.md): one sync at a time across tabs (Web Locks); oldest visit first;
 * stop at the first network failure; a refused visit is parked with the server's message and the
 * next one goes on; 401/403 keep the queue and ask to sign in again; 413 on a photo shrinks it
 * and sends the visit again as a new version; a 2xx that is not the JSON receipt is a failure.
 * A photo goes from the byte the server confirmed: a drop mid-photo costs only what was on its
 * way, and the upload picks up again as soon as the link lets bytes through (RESUME_WAITS_MS).
 * Triggers: app open, `online`, back to the foreground, a completed visit, "Sync now", a capped
 * backoff timer with jitter, and Background Sync where the browser has it.
 */
import * as api from './api.js';
import { missingPhotos } from './completeness.js';
import * as db from './db.js';
import * as outbox from './outbox.js';
import { shrinkPhoto } from './photos.js';

export const events = new EventTarget();

const LOCK_NAME = 'ap-visits-sync';
const BACKOFF_BASE_MS = 5_000;
// A server that refuses (408/429/5xx) is given room: up to 5 minutes. No answer at all (a dropped
// reply, a captive portal) is a poor signal, not a busy server: retry within a minute.
const BACKOFF_CAP_MS = { refused: 5 * 60_000, unreachable: 60_000 };
// Offline, the `online` event brings the next try; this timer is only in case it never fires.
const OFFLINE_RETRY_MS = 60_000;
// A photo goes in requests of at most this many bytes. The server keeps every 64 KB of a request
// as it arrives, so the size costs nothing when the link drops; each request costs a round trip
// (400 ms on one bar), so fewer is faster. Behind a proxy that buffers whole requests, a drop
// loses at most this much (docs/deployment.md).
export const UPLOAD_REQUEST_BYTES = 512 * 1024;
// A photo cut off by the network is picked up again after these waits, without the sync's
// backoff, for as long as the server keeps confirming new bytes between two of them: a link
// that drops for a few seconds in a car park, not a phone that went offline.
// A link back after a 3 s drop is found within about half a second.
const RESUME_WAITS_MS = [500, 500, 500, 500, 500, 1000, 2000, 4000];

let owner = null;
let running = false;
let failures = 0;
let failure = null;   // why the last sync stopped: 'refused' or 'unreachable'
let again = false;    // asked to retry while a sync was running: run once more straight after
let progressed = false; // this sync stored something on the server before it stopped
let timer = null;

const emit = (type, detail) => events.dispatchEvent(new CustomEvent(type, { detail }));

// What the phone tells the user when a visit did not go this time.
export const REASONS = {
  network: { code: 'network', message: 'No connection to the school’s server yet. It will try again by itself.' },
  'not-json': {
    code: 'not_our_server',
    message: 'The network answered with a web page, not the school’s server (Wi-Fi sign-in?). '
      + 'Sign in to the Wi-Fi, then tap Sync now.',
  },
  busy: { code: 'server_busy', message: 'The school’s server is busy or had a problem. It will try again.' },
  signin: { code: 'signin', message: 'Sign in again to send this visit. It is safe on this phone.' },
};

/** Start syncing for the person signed in; stop when they sign out. */
export function start(userId) {
  owner = userId;
  failures = 0;
}

/** The connection came back or the app came to the front: forget the backoff and try now. */
export function retryNow() {
  failures = 0;
  if (running) again = true;
  return syncNow();
}

export function stop() {
  owner = null;
  clearTimeout(timer);
  timer = null;
}

export function isRunning() {
  return running;
}

/** Run one sync now (unless one is already running, here or in another tab). */
export async function syncNow() {
  if (!owner) return 'signed-out';
  if (!navigator.locks) return running ? 'busy' : run();
  return navigator.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => (lock ? run() : 'busy'));
}

async function run() {
  if (running || !owner) return 'busy';
  running = true;
  again = false;
  progressed = false;
  failure = 'unreachable';
  clearTimeout(timer);
  const me = owner;
  let outcome = 'ok';
  try {
    const queue = await outbox.queue(me);
    const progress = await totals(queue);
    emit('progress', { ...progress, running: true });
    for (const visit of queue) {
      if (owner !== me) break;
      const result = await sendVisit(visit, progress);
      emit('visit', { id: visit.id });
      if (result === 'stop' || result === 'signin') {
        outcome = result;
        break;
      }
      progress.visitsDone += 1;
      emit('progress', { ...progress, running: true });
    }
    if (outcome === 'ok') outcome = await pull(me);
    if (outcome === 'signin') emit('signin-needed', {});
    await outbox.purgeConfirmed(me);
    emit('progress', { ...progress, running: false });
  } finally {
    running = false;
  }
  await schedule(me, outcome);
  emit('done', { outcome });
  if (again && owner === me) retryNow();
  return outcome;
}

async function totals(queue) {
  const progress = { visitsDone: 0, visitsTotal: queue.length, photosDone: 0, photosTotal: 0, bytesDone: 0, bytesTotal: 0 };
  for (const visit of queue) {
    for (const photo of await outbox.photosOf(visit.id)) {
      if (photo.sent) continue;
      progress.photosTotal += 1;
      progress.bytesTotal += photo.size;
      progress.bytesDone += photo.confirmed || 0;   // the part of it the server already holds
    }
  }
  return progress;
}

/**
 * Back off after a failure (capped, with jitter) while anything waits. A failure while the
 * phone is offline does not count: the wait would otherwise grow through a long offline spell
 * and still be long when the signal comes back (`retryNow` also resets it).
 */
async function schedule(me, outcome) {
  if (owner !== me) return;
  clearTimeout(timer);
  const offline = navigator.onLine === false;
  if (outcome !== 'stop') failures = 0;
  else if (progressed) failures = 1;   // it got some through: a patchy link, not a refusing server
  else if (!offline) failures += 1;
  const waiting = (await outbox.queue(me)).length > 0;
  if (outcome === 'signin' || !waiting) return;
  let delay = OFFLINE_RETRY_MS;
  if (!offline) {
    const cap = BACKOFF_CAP_MS[failure === 'refused' ? 'refused' : 'unreachable'];
    delay = Math.min(cap, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1)) * (0.5 + Math.random());
  }
  timer = setTimeout(() => { syncNow(); }, delay);
}

/** Our server answered: remember when (the outbox shows it), whatever else happens next. */
async function reached(outcome) {
  if (!outcome.ok && !(outcome.kind === 'http' && outcome.status < 500)) return;
  const at = new Date().toISOString();
  await db.setMeta('last_sync', at);
  emit('reached', { at });
}

/** How to treat an api.js outcome: 'ok', 'stop' (try later), 'signin', or 'refused'.
 * A 'stop' also notes whether the server refused for now or could not be reached. */
function classify(outcome) {
  reached(outcome);
  if (outcome.ok) return 'ok';
  if (outcome.kind !== 'http') return 'stop';
  const { status } = outcome;
  if (status === 401 || status === 403) return 'signin';
  if (status === 408 || status === 429 || status >= 500) { failure = 'refused'; return 'stop'; }
  return 'refused';
}

function reasonFor(outcome) {
  if (outcome.kind === 'not-json') return REASONS['not-json'];
  if (outcome.kind === 'http' && outcome.status >= 408) return REASONS.busy;
  return REASONS.network;
}

function isReceipt(data, visitId) {
  return data && data.visit_id === visitId && Number.isInteger(data.version) && typeof data.complete === 'boolean';
}

async function sendVisit(visit, progress) {
  let photos = await outbox.photosOf(visit.id);
  // On the server already, photos missing: its receipt says what to send; the visit itself is
  // not sent again (on a poor signal every resent byte counts).
  const resuming = visit.state === 'incomplete' && visit.receipt && !visit.receipt.complete
    && missingPhotos(visit.receipt, photos).some((photo) => !photo.sent);
  await outbox.markSending(visit);
  emit('visit', { id: visit.id });
  let receipt = visit.receipt;
  if (!resuming) {
    const put = await api.putVisit(visit.id, outbox.payloadOf(visit, photos));
    const verdict = classify(put);
    if (verdict === 'signin') { await outbox.deferred(visit, REASONS.signin); return 'signin'; }
    if (verdict === 'stop') { await outbox.deferred(visit, reasonFor(put)); return 'stop'; }
    if (verdict === 'refused') { await parkRefused(visit, put); return 'next'; }
    if (!isReceipt(put.data, visit.id)) { await outbox.deferred(visit, REASONS['not-json']); return 'stop'; }
    receipt = put.data;
    progressed = true;
    await outbox.recordReceipt(visit, receipt);
  }

  photos = missingPhotos(receipt, photos).filter((photo) => !photo.sent);
  emit('visit', { id: visit.id });
  for (const photo of photos) {
    emit('photo', { visitId: visit.id, photoId: photo.id, sending: true, confirmed: photo.confirmed || 0 });
    const sent = await uploadPhoto(visit, photo, (confirmed, before) => {
      progress.bytesDone += confirmed - before;
      emit('photo', { visitId: visit.id, photoId: photo.id, sending: true, confirmed });
      emit('progress', { ...progress, running: true });
    });
    emit('photo', { visitId: visit.id, photoId: photo.id, sending: false, confirmed: photo.confirmed || 0 });
    const photoVerdict = classify(sent);
    if (photoVerdict === 'signin') { await outbox.deferred(visit, REASONS.signin); return 'signin'; }
    if (photoVerdict === 'stop') { await outbox.deferred(visit, reasonFor(sent)); return 'stop'; }
    if (resuming && sent.status === 404) {
      // The server does not hold the visit as the receipt said: send the whole visit again.
      visit.receipt = null;
      return sendVisit(visit, progress);
    }
    if (photoVerdict === 'refused') {
      if (sent.status === 413) return resendSmaller(visit, photo, receipt, progress);
      await parkRefused(visit, sent, photo);
      return 'next';
    }
    if (!isReceipt(sent.data, visit.id)) { await outbox.deferred(visit, REASONS['not-json']); return 'stop'; }
    receipt = sent.data;
    progressed = true;
    // Each photo's receipt is what the server holds now: the outbox shows it at once.
    await outbox.markPhotoSent(photo);
    await outbox.recordReceipt(visit, receipt);
    progress.photosDone += 1;
    progress.bytesDone += photo.size - (photo.confirmed || 0);   // the rest of it, now all there
    emit('progress', { ...progress, running: true });
  }
  return 'next';
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Send one photo from the byte the server holds (docs/sync-protocol.md §2). Returns an api.js
 * outcome whose data, on success, is the visit's receipt. `onConfirmed(bytes, before)` is called
 * each time the server confirms more of it. A photo whose upload began before (here, or before a
 * restart) first asks the server how much it holds, so no confirmed byte is ever sent again.
 */
async function uploadPhoto(visit, photo, onConfirmed) {
  const size = photo.bytes.byteLength;
  let offset = photo.confirmed || 0;
  let ask = Boolean(photo.upload_started);
  let misses = 0;   // network failures in a row with no new byte confirmed
  const confirm = async (received) => {
    if (received > offset) misses = 0;
    if (received !== offset || !photo.upload_started) {
      const before = offset;
      offset = received;
      await outbox.recordPhotoProgress(photo, received);
      if (received !== before) onConfirmed(received, before);
    }
  };
  const cut = async () => {
    if (misses >= RESUME_WAITS_MS.length) return false;
    await pause(RESUME_WAITS_MS[misses] * (0.75 + Math.random() / 2));
    misses += 1;
    ask = true;
    return owner !== null;
  };
  for (;;) {
    if (ask) {
      const held = await api.photoUpload(visit.id, photo.id);
      if (!held.ok) {
        if (held.kind === 'network' && await cut()) continue;
        return held;
      }
      reached(held);
      if (typeof held.data.received !== 'number') return { ok: false, kind: 'not-json', status: held.status };
      if (held.data.stored) return { ok: true, status: held.status, data: held.data.receipt };
      await confirm(held.data.received);
      ask = false;
    }
    if (!photo.upload_started) await confirm(offset);
    const sent = await api.putPhotoPart(visit.id, photo, offset, Math.min(size, offset + UPLOAD_REQUEST_BYTES));
    if (sent.ok) {
      if (typeof sent.data.received !== 'number') return { ok: false, kind: 'not-json', status: sent.status };
      if (sent.data.stored) return { ok: true, status: sent.status, data: sent.data.receipt };
      reached(sent);
      await confirm(sent.data.received);
      continue;
    }
    const code = sent.kind === 'http' ? sent.error.code : null;
    if (code === 'upload_offset_mismatch' && Number.isInteger(sent.error.details?.received)) {
      await confirm(sent.error.details.received);
      misses += 1;   // never loop for ever on a server that keeps answering so
      if (misses <= RESUME_WAITS_MS.length) continue;
      return sent;
    }
    if ((sent.kind === 'network' || code === 'upload_interrupted') && await cut()) continue;
    return sent;
  }
}

/** The server found a photo too large: shrink it and send the visit as a new version naming it. */
async function resendSmaller(visit, photo, receipt, progress) {
  const smaller = await shrinkPhoto(photo);
  if (!smaller) {
    await outbox.park(visit, 'attention', { code: 'body_too_large', message: 'A photo is too large for the server even after shrinking it.' });
    return 'next';
  }
  progress.bytesTotal += smaller.size - photo.size;
  progress.bytesDone -= photo.confirmed || 0;
  // New bytes, a new upload: nothing of them is on the server yet.
  smaller.upload_started = false;
  smaller.confirmed = 0;
  await db.putPhoto(smaller);
  visit.base_version = receipt.version;
  return sendVisit(visit, progress);
}

async function parkRefused(visit, outcome, photo) {
  const { error, status } = outcome;
  if (status === 409 && error.code === 'visit_version_conflict') {
    await outbox.park(visit, 'conflict', {
      code: error.code, message: error.message, current_version: error.details?.current_version ?? null,
    });
    return;
  }
  await outbox.park(visit, 'attention', {
    code: error.code, message: error.message, details: error.details || {}, photo_id: photo ? photo.id : null,
  });
}

/** Pull the bootstrap snapshot; the office's review decisions come with it. */
async function pull(me) {
  const cursor = await db.getMeta('cursor');
  const answer = await api.bootstrap(cursor ?? null, await db.getMeta('due_as_of'));
  const verdict = classify(answer);
  if (verdict === 'signin') return 'signin';
  if (verdict !== 'ok' || typeof answer.data.cursor !== 'number') return 'stop';
  if (owner !== me) return 'ok';
  if (!answer.data.unchanged) {
    await db.putSnapshot({ ...answer.data, owner: me });
    await db.setMeta('cursor', answer.data.cursor);
    await db.setMeta('due_as_of', answer.data.due_as_of);
    await outbox.applyReviews(me, answer.data.my_visits);
  }
  emit('pulled', { changed: !answer.data.unchanged });
  return 'ok';
}

/** Listen for the moments a sync is worth trying. */
export function installTriggers() {
  window.addEventListener('online', () => { retryNow(); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryNow();
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync-requested') syncNow();
    });
  }
}

/** Ask the browser to wake us when it is back online, where it can (an accelerator only). */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration && registration.sync) await registration.sync.register('outbox');
  } catch {
    // Not offered here (Safari, Firefox) or refused: the page's own triggers still run.
  }
}
