/*
 * The outbox: visits, not HTTP requests. Queue semantics on top of db.js.
 *
 * A visit moves draft → ready → sending → incomplete (on the server, photos missing) →
 * complete (the server confirmed every photo's SHA-256). 'attention' is a visit the server
 * refused (its message is kept); 'conflict' is one the server holds in another version. No
 * state ever deletes: a confirmed visit leaves the phone only after GRACE_DAYS, and never while
 * it is sent back for correction. This module never touches the DOM or the network.
 */
import { isComplete } from './completeness.js';
import * as db from './db.js';

export const GRACE_DAYS = 7;
export const STALE_HOURS = 24;
const SENDABLE = ['ready', 'sending', 'incomplete'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Does the person have to act on it: the server refused it, or the office sent it back and
 * it is not yet being corrected? (Today's count and the outbox's order both use this.) */
export function needsAttention(visit) {
  return ['attention', 'conflict'].includes(visit.state) || (visit.review_status === 'sent_back' && visit.state !== 'draft');
}

export function newId() {
  return crypto.randomUUID();
}

const nowIso = () => new Date().toISOString();

/** A new draft: its UUID is the visit's id on the server too. */
export async function startDraft({ owner, form, placement, provider, mode, visitDate, schoolId, title }) {
  const visit = {
    id: newId(), owner, state: 'draft', title,
    kind: form.visit_kind, form_id: form.form_id, form_version: form.version,
    placement_id: placement ? placement.id : null,
    provider_id: provider ? provider.id : (placement ? placement.provider_id : null),
    school_id: schoolId, mode, visit_date: visitDate,
    started_at: nowIso(), completed_at: null, created_at: nowIso(), updated_at: nowIso(), queued_at: null,
    answers: {}, actions: [], concern: null, base_version: null,
    receipt: null, reason: null, confirmed_at: null, review_status: null, review_comment: null,
  };
  await db.putVisit(visit);
  return visit;
}

export function saveDraft(visit) {
  visit.updated_at = nowIso();
  return db.putVisit(visit);
}

/** The body of PUT /api/visits/{id}, as docs/sync-protocol.md describes it. */
export function payloadOf(visit, photos) {
  return {
    kind: visit.kind,
    // A provider check is about the provider; every other visit is about its placement.
    placement_id: visit.kind === 'provider_check' ? null : visit.placement_id,
    provider_id: visit.kind === 'provider_check' ? visit.provider_id : null,
    form_id: visit.form_id,
    form_version: visit.form_version,
    mode: visit.mode,
    visit_date: visit.visit_date,
    started_at: visit.started_at,
    completed_at: visit.completed_at,
    answers: visit.answers,
    photos: photos.map((photo) => ({
      uuid: photo.id, item_key: photo.item_key, caption: photo.caption || null,
      sha256: photo.sha256, size: photo.size, type: photo.type,
    })),
    actions: visit.actions.map((action) => ({
      uuid: action.uuid, item_key: action.item_key || null, description: action.description,
      owner_name: action.owner_name, due_on: action.due_on,
    })),
    concern: visit.concern && visit.concern.text && visit.concern.text.trim() ? {
      uuid: visit.concern.uuid, text: visit.concern.text,
      immediate_action: visit.concern.immediate_action || null, raised_at: visit.concern.raised_at,
    } : null,
    base_version: visit.base_version,
  };
}

/** Draft → ready: the visit and its photos are written together, in one transaction. */
export async function complete(visit, photos) {
  visit.state = 'ready';
  visit.completed_at = nowIso();
  visit.queued_at = nowIso();
  visit.updated_at = nowIso();
  visit.reason = null;
  await db.putVisitWithPhotos(visit, photos.map((photo) => ({ ...photo, sent: false })));
  return visit;
}

/** The visits waiting to go, oldest first. */
export async function queue(owner) {
  const visits = await db.visitsOf(owner);
  return visits.filter((v) => SENDABLE.includes(v.state))
    .sort((a, b) => (a.queued_at || '').localeCompare(b.queued_at || ''));
}

export async function all(owner) {
  const visits = await db.visitsOf(owner);
  return visits.sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
}

export function photosOf(visitId) {
  return db.photosOf(visitId).then((photos) => photos.sort((a, b) => a.created_at.localeCompare(b.created_at)));
}

export async function markSending(visit) {
  visit.state = 'sending';
  await db.putVisit(visit);
}

/** The server's receipt for this visit: complete or still missing photos (completeness.js). */
export async function recordReceipt(visit, receipt) {
  visit.receipt = receipt;
  visit.reason = null;
  visit.review_status = receipt.review_status ?? visit.review_status;
  visit.review_comment = receipt.review_comment ?? visit.review_comment;
  if (isComplete(receipt)) {
    visit.state = 'complete';
    visit.confirmed_at = nowIso();
  } else {
    visit.state = 'incomplete';
  }
  await db.putVisit(visit);
  return visit;
}

/** Not sent this time (no network, a portal page, signed out): stays queued with the reason. */
export async function deferred(visit, reason) {
  visit.state = visit.receipt ? 'incomplete' : 'ready';
  visit.reason = reason;
  await db.putVisit(visit);
}

/** The server refused it: parked with the server's message, still on the phone. */
export async function park(visit, state, reason) {
  visit.state = state;
  visit.reason = reason;
  await db.putVisit(visit);
}

/** The bytes of a photo the server has confirmed (it started, or went on with, its upload). */
export async function recordPhotoProgress(photo, confirmed) {
  photo.upload_started = true;
  photo.confirmed = confirmed;
  await db.putPhoto(photo);
}

export async function markPhotoSent(photo) {
  photo.sent = true;
  await db.putPhoto(photo);
}

/** Send again after the user chose to: a parked visit, or a conflict resent as a new version. */
export async function requeue(visit, baseVersion) {
  if (baseVersion !== undefined) visit.base_version = baseVersion;
  visit.state = visit.receipt && baseVersion === undefined ? 'incomplete' : 'ready';
  visit.reason = null;
  visit.queued_at = nowIso();
  await db.putVisit(visit);
}

/** A sent-back visit becomes a draft again; completing it sends a new version of the same visit. */
export async function reopenForCorrection(visit) {
  visit.state = 'draft';
  visit.base_version = visit.receipt ? visit.receipt.version : visit.base_version;
  visit.confirmed_at = null;
  visit.updated_at = nowIso();
  await db.putVisit(visit);
  return visit;
}

/** Copy the office's review decisions (from the bootstrap's my_visits) onto the phone's visits. */
export async function applyReviews(owner, myVisits) {
  const byId = new Map((myVisits || []).map((row) => [row.id, row]));
  for (const visit of await db.visitsOf(owner)) {
    const row = byId.get(visit.id);
    if (!row || visit.state === 'draft') continue;
    if (row.review_status !== visit.review_status || row.review_comment !== visit.review_comment) {
      visit.review_status = row.review_status;
      visit.review_comment = row.review_comment;
      await db.putVisit(visit);
    }
  }
}

/** Remove confirmed visits after the grace period; a sent-back visit stays until corrected. */
export async function purgeConfirmed(owner, now = Date.now()) {
  for (const visit of await db.visitsOf(owner)) {
    const old = visit.confirmed_at && now - Date.parse(visit.confirmed_at) > GRACE_DAYS * DAY_MS;
    if (visit.state === 'complete' && old && visit.review_status !== 'sent_back') await db.deleteVisit(visit.id);
  }
}

/** Visits that have waited to send for more than STALE_HOURS. */
export async function stale(owner, now = Date.now()) {
  return (await queue(owner)).filter((v) => v.queued_at && now - Date.parse(v.queued_at) > STALE_HOURS * 3600_000);
}
