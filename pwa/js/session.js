/*
 * Signing in and out on a phone that may be shared, and opening the app with a PIN.
 *
 * Every record about a pupil is sealed on the phone with the person's offline key (db.js,
 * lock.js). Online sign-in gets the key from the server; the person then chooses a PIN for
 * this phone, and the key is kept on disk only wrapped by that PIN. Opening the app again
 * (offline too) takes the PIN; PIN_TRIES wrong ones destroy the wrapped key, and then only an
 * online sign-in, which gets the key from the server again, opens the records: nothing unsent
 * is lost. Signing out, and the server ending the session (a revoked device), destroy the
 * key on the phone and leave only sealed records (crypto-shredding). Signing out locks unsent
 * visits and drafts for their author (anyone else sees only how many wait); discarding them
 * instead takes an explicit confirmation that is recorded: reported to the server at once, or
 * kept in a local log and reported at that person's next sign-in.
 */
import * as api from './api.js';
import * as db from './db.js';
import { importOfflineKey, pinProblem, unlockRecord, unwrapOfflineKey, wrapOfflineKey } from './lock.js';

/** Wrong PINs allowed before the wrapped key is destroyed. */
export const PIN_TRIES = 5;

// Between an online sign-in and the PIN being chosen: the server's key, in memory only.
let keyToWrap = null;

/** {user, csrf_token, signed_in_at} for the person signed in on this phone, or undefined. */
export function current() {
  return db.getMeta('session');
}

/** The session kept on the phone, made ready for api.js (after a reload or a cold start). */
export async function resume() {
  const session = await current();
  if (!session) return session;
  api.setCsrfToken(session.csrf_token);
  const row = await db.getKeyRow(session.user.id);
  // An older version kept the key itself (non-extractable, yet on disk): seal what it left
  // readable with it, then drop it; the person signs in online once to choose a PIN.
  if (row && row.key instanceof CryptoKey) {
    db.useKey(session.user.id, row.key);
    await db.sealLegacy(session.user.id);
    db.forgetKey();
    await db.deleteKeyRow(session.user.id);
  }
  return session;
}

/**
 * What opening the app needs now: 'open' (the key is in memory), 'choose-pin' (signed in
 * online, no PIN yet), 'pin' (a PIN-wrapped key is on the phone), 'signin' (no key on the
 * phone: only an online sign-in opens the records).
 */
export async function lockState(owner) {
  if (keyToWrap && keyToWrap.owner === owner && db.isUnlocked(owner)) return 'choose-pin';
  if (db.isUnlocked(owner)) return 'open';
  const row = await db.getKeyRow(owner);
  return row && row.wrapped ? 'pin' : 'signin';
}

/** Keep the key on this phone wrapped by `pin`. {ok} or {ok: false, problem}. */
export async function choosePin(pin) {
  const problem = pinProblem(pin);
  if (problem) return { ok: false, problem };
  const session = await current();
  if (!session || !keyToWrap || keyToWrap.owner !== session.user.id) return { ok: false, problem: 'Sign in again first.' };
  const wrapped = await wrapOfflineKey(keyToWrap.hex, pin, session.user.id);
  await db.putKeyRow({ owner: session.user.id, ...wrapped, failures: 0, set_at: new Date().toISOString() });
  keyToWrap = null;
  return { ok: true };
}

/**
 * Open the app with the PIN. {ok} | {ok: false, kind: 'wrong', left} | {ok: false, kind:
 * 'locked-out'} (the wrapped key is gone: sign in online).
 */
export async function unlockWithPin(pin) {
  const session = await current();
  if (!session) return { ok: false, kind: 'locked-out' };
  const owner = session.user.id;
  const row = await db.countPinTry(owner);
  if (!row) return { ok: false, kind: 'locked-out' };
  let key;
  try {
    key = await unwrapOfflineKey(row, String(pin || ''));
  } catch {
    if (row.failures >= PIN_TRIES) {
      await db.deleteKeyRow(owner);
      return { ok: false, kind: 'locked-out' };
    }
    return { ok: false, kind: 'wrong', left: PIN_TRIES - row.failures };
  }
  await db.resetPinTries(owner);
  db.useKey(owner, key);
  await db.sealLegacy(owner);
  return { ok: true };
}

/**
 * The server says this session has ended (signed out elsewhere, a revoked device, expired):
 * the key goes from memory and disk, the sealed records stay for an online sign-in.
 */
export async function sessionEnded() {
  const session = await current();
  keyToWrap = null;
  db.forgetKey();
  if (session) await db.deleteKeyRow(session.user.id);
}

export async function signIn(email, password) {
  // The last person's sign-out, if it could not reach the server, ends their session first.
  if (!(await finishPendingSignOut())) return { ok: false, kind: 'network' };
  const outcome = await api.signIn(email, password);
  if (!outcome.ok) return outcome;
  if (outcome.status === 202) return { ok: false, kind: 'second-factor', step: outcome.data };
  return establish(outcome.data);
}

/** Finish a sign-in that needs a second factor; `recoveryCodes` when an app was just added. */
export async function signInWithCode(token, code) {
  const outcome = await api.signInCode(token, code);
  if (!outcome.ok) return outcome;
  const signedIn = await establish(outcome.data);
  return { ...signedIn, recoveryCodes: outcome.data.recovery_codes || [] };
}

/** Finish a sign-in that needs a second factor with a passkey (pwa/js/passkey.js). */
export async function signInWithPasskey(token, credential) {
  const outcome = await api.signInPasskey(token, credential);
  if (!outcome.ok) return outcome;
  return { ...(await establish(outcome.data)), recoveryCodes: [] };
}

async function establish(me) {
  const previous = await current();
  // Someone else's session was still open here (e.g. they were asked to sign in again):
  // their records are locked before the new person sees anything.
  if (previous && previous.user.id !== me.id) await lockAccount(previous.user.id);
  const key = await importOfflineKey(me.offline_key);
  db.useKey(me.id, key);
  // A PIN is chosen at every online sign-in (forgotten PINs included): the old one goes.
  keyToWrap = { owner: me.id, hex: me.offline_key };
  await db.deleteKeyRow(me.id);
  const user = { id: me.id, email: me.email, full_name: me.full_name, memberships: me.memberships };
  await db.setMeta('session', { user, csrf_token: me.csrf_token, signed_in_at: new Date().toISOString() });
  await db.deleteMeta('pending_signout');
  await db.sealLegacy(me.id);
  const restored = await unlockAccount(me.id, key);
  await reportDiscardLog(me.id);
  return { ok: true, user, restored };
}

/** Confirm the session with the server and refresh the CSRF token; false if it has ended. */
export async function confirm() {
  const outcome = await api.me();
  if (outcome.ok) {
    api.setCsrfToken(outcome.data.csrf_token);
    return { ok: true };
  }
  return { ok: false, signedOut: outcome.kind === 'http' && outcome.status === 401 };
}

/** The visits that have not been confirmed by the server (drafts included). */
export async function unsentVisits(owner) {
  const visits = await db.visitsOf(owner);
  return visits.filter((visit) => visit.state !== 'complete');
}

/**
 * Sign out. With `discardIds`, those unsent visits are deleted (the person confirmed it) and
 * the discard is recorded; every other unsent visit is locked.
 */
export async function signOut({ discardIds = [] } = {}) {
  const session = await current();
  if (!session) return;
  const owner = session.user.id;
  if (discardIds.length) {
    const entry = { owner, visit_ids: discardIds, confirmed_at: new Date().toISOString() };
    const log = (await db.getMeta('discard_log')) || [];
    await db.setMeta('discard_log', [...log, entry]);
    for (const id of discardIds) await db.deleteVisit(id);
    await reportDiscardLog(owner);
  }
  const ended = await api.signOut();
  // Offline: the server session is ended at the next chance, before anyone else signs in.
  if (!ended.ok) await db.setMeta('pending_signout', true);
  await lockAccount(owner);
}

/**
 * End a server session that a sign-out made while offline could not end. True once none is
 * left to end; false while the server cannot be reached (or fails), so the caller tries again.
 */
export async function finishPendingSignOut() {
  if (!(await db.getMeta('pending_signout'))) return true;
  const ended = await api.signOut();
  if (!ended.ok && !(ended.kind === 'http' && ended.status < 500)) return false;
  await db.deleteMeta('pending_signout');
  return true;
}

/**
 * Move `owner`'s sealed visits into `locked` and destroy their key on the phone. With the key
 * in memory, confirmed visits (safe on the server) are dropped and the rest kept, a sent-back
 * one too (it waits for correction); without it (the app was waiting for their PIN), all stay.
 */
async function lockAccount(owner) {
  let keepIds = null;
  if (db.isUnlocked(owner)) {
    await db.sealLegacy(owner);
    const visits = await db.visitsOf(owner);
    keepIds = new Set(visits.filter((v) => v.state !== 'complete' || v.review_status === 'sent_back').map((v) => v.id));
  }
  if (keyToWrap && keyToWrap.owner === owner) keyToWrap = null;
  await db.lockAccount(owner, keepIds);
}

async function unlockAccount(owner, key) {
  const rows = await db.lockedOf(owner);
  const visits = [];
  const photos = [];
  const ids = [];
  for (const row of rows) {
    try {
      const record = await unlockRecord(key, row);
      (row.kind === 'visits' ? visits : photos).push(record);
      ids.push(row.id);
    } catch {
      // Locked with another key (the account's key was replaced): left locked, never deleted.
    }
  }
  if (ids.length) await db.unlockAccount(visits, photos, ids);
  return visits.length;
}

/** How many locked visits on this phone belong to other people. */
export async function othersWaiting(owner) {
  const rows = await db.allLocked();
  return rows.filter((row) => row.kind === 'visits' && row.owner !== owner).length;
}

async function reportDiscardLog(owner) {
  const log = (await db.getMeta('discard_log')) || [];
  const left = [];
  for (const entry of log) {
    if (entry.owner === owner) {
      const sent = await api.reportDiscarded(entry.visit_ids, entry.confirmed_at);
      if (sent.ok) continue;
    }
    left.push(entry);
  }
  await db.setMeta('discard_log', left);
}
