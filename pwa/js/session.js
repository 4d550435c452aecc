/*
 * Signing in and out on a phone that may be shared.
 *
 * Signing out leaves no pupil data readable: the bootstrap snapshot is deleted, and the
 * person's unsent visits and drafts are locked (encrypted with their offline key, which is
 * then deleted), never dropped. When the same person signs in again the server hands the key
 * back and their visits are unlocked; anyone else sees only how many locked visits wait.
 * Discarding unsent visits instead takes an explicit confirmation that is recorded: reported
 * to the server at once, or kept in a local log and reported at that person's next sign-in.
 */
import * as api from './api.js';
import * as db from './db.js';
import { importOfflineKey, lockRecord, unlockRecord } from './lock.js';

/** {user, csrf_token, signed_in_at} for the person signed in on this phone, or undefined. */
export function current() {
  return db.getMeta('session');
}

/** The session kept on the phone, made ready for api.js (after a reload or a cold start). */
export async function resume() {
  const session = await current();
  if (session) api.setCsrfToken(session.csrf_token);
  return session;
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
  await db.putKey(me.id, await importOfflineKey(me.offline_key));
  const user = { id: me.id, email: me.email, full_name: me.full_name, memberships: me.memberships };
  await db.setMeta('session', { user, csrf_token: me.csrf_token, signed_in_at: new Date().toISOString() });
  await db.deleteMeta('pending_signout');
  const restored = await unlockAccount(me.id);
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

async function lockAccount(owner) {
  const key = await db.getKey(owner);
  if (!key) throw new Error('no offline key on this phone: cannot lock visits');
  const { visits, photos } = await db.readableOf(owner);
  // Confirmed visits are safe on the server; the rest are locked. A sent-back one is kept for correction.
  const keep = visits.filter((v) => v.state !== 'complete' || v.review_status === 'sent_back');
  const keepIds = new Set(keep.map((v) => v.id));
  const rows = [];
  for (const visit of keep) rows.push(await lockRecord(key, owner, 'visits', visit));
  for (const photo of photos.filter((p) => keepIds.has(p.visit_id))) rows.push(await lockRecord(key, owner, 'photos', photo));
  await db.lockAccount(owner, rows);
}

async function unlockAccount(owner) {
  const key = await db.getKey(owner);
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
