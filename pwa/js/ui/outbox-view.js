/*
 * The outbox: every visit on this phone with its state and, when it is stuck, why; each photo
 * of a visit still going, with what the server has of it (queued, sending, on the server); what
 * is still to send, counted from the phone's own records; and "Sync now". Emits app:sync-now,
 * app:resend {visitId}, app:resend-new-version {visitId, baseVersion} and app:correct {visitId}.
 */
import { formatBytes, formatDate, formatDateTime, label, STATES } from '../labels.js';
import { needsAttention } from '../outbox.js';
import { emit, h, heading } from './dom.js';

const GOING = ['ready', 'sending', 'incomplete'];

// Where a photo is, as the person reads it.
export const PHOTO_STATES = {
  queued: { label: 'Waiting to send', tone: 'wait' },
  sending: { label: 'Sending…', tone: 'wait' },
  server: { label: 'On the server', tone: 'good' },
};

function stateLine(visit, photos) {
  const state = STATES[visit.state] || STATES.draft;
  let text = state.label;
  if (visit.state === 'incomplete') {
    const missing = photos.filter((photo) => photo.status !== 'server').length;
    text = `On server (incomplete, ${missing} ${missing === 1 ? 'photo' : 'photos'} missing)`;
  }
  return h('p', { class: `state ${state.tone}`, 'data-state': visit.state }, text);
}

function reviewLine(visit) {
  if (visit.review_status === 'signed_off') return h('p', { class: 'review good' }, 'Signed off by the office');
  if (visit.review_status === 'sent_back') {
    return h('div', { class: 'review bad' }, h('strong', {}, 'Sent back by the office'),
      h('p', { class: 'comment' }, visit.review_comment || 'No comment given.'),
      visit.state === 'complete' || visit.state === 'incomplete'
        ? h('button', { type: 'button', class: 'button', onclick: (e) => emit(e.target, 'correct', { visitId: visit.id }) }, 'Correct and resend') : null);
  }
  return null;
}

/** How much of a photo the server holds, as the person reads it: "180 KB of 484 KB on the server". */
export function partLine(photo) {
  if (photo.status === 'server' || !photo.confirmed) return null;
  return `${formatBytes(photo.confirmed)} of ${formatBytes(photo.size)} on the server`;
}

/** Each photo of a visit still going, with where it is: for one partly sent, how much of it the
 * server has confirmed (the upload goes on from there, never sending those bytes again). */
function photoList(visit, photos) {
  if (!GOING.includes(visit.state) || !photos.length) return null;
  return h('ul', { class: 'photo-states', 'aria-label': 'Photos' }, photos.map((photo, index) => {
    const state = PHOTO_STATES[photo.status];
    const name = `Photo ${index + 1}${photo.caption ? ` (${photo.caption})` : ''}`;
    const part = partLine(photo);
    return h('li', { dataset: { photo: photo.id, photoState: photo.status, confirmed: String(photo.confirmed || 0) } },
      h('span', {}, `${name} · ${formatBytes(photo.size)}`),
      h('span', { class: `photo-state ${state.tone}` }, state.label),
      part ? h('span', { class: 'photo-part muted' }, part) : null,
      part ? h('progress', { max: photo.size, value: photo.confirmed, 'aria-label': `${name}: ${part}` }) : null);
  }));
}

function photoSummary(visit, photos) {
  const total = photos.length;
  let text = `${total} ${total === 1 ? 'photo' : 'photos'}`;
  if (visit.state === 'complete' && total) text += total === 1 ? ', on the server' : ', all on the server';
  return text + (visit.completed_at ? ` · completed ${formatDateTime(visit.completed_at)}` : '');
}

function visitCard(visit, photos) {
  const refused = ['attention', 'conflict'].includes(visit.state);
  const reason = visit.reason && visit.state !== 'complete' ? h('p', { class: `reason ${refused ? 'bad' : 'wait'}` }, visit.reason.message) : null;
  const details = visit.reason?.details?.errors
    ? h('ul', { class: 'reason-details' }, Object.entries(visit.reason.details.errors).map(([key, codes]) => h('li', {}, `${key}: ${[].concat(codes).join(', ')}`)))
    : null;
  let action = null;
  if (visit.state === 'draft') action = h('a', { class: 'button', href: `#/visit/${visit.id}` }, 'Open draft');
  if (visit.state === 'attention') action = h('button', { type: 'button', class: 'button', onclick: (e) => emit(e.target, 'resend', { visitId: visit.id }) }, 'Try sending again');
  if (visit.state === 'conflict') {
    action = h('button', {
      type: 'button', class: 'button',
      onclick: (e) => emit(e.target, 'resend-new-version', { visitId: visit.id, baseVersion: visit.reason?.current_version }),
    }, 'Send as a new version');
  }
  return h('li', { class: 'card visit-card', id: `outbox-${visit.id}`, dataset: { visit: visit.id } },
    h('p', { class: 'card-title' }, visit.title || label('visit_kinds', visit.kind)),
    h('p', { class: 'muted' }, `${label('visit_kinds', visit.kind)} · ${formatDate(visit.visit_date)}`),
    stateLine(visit, photos),
    h('p', { class: 'muted' }, photoSummary(visit, photos)),
    photoList(visit, photos),
    reason, details, reviewLine(visit), action);
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** What is still to send, from the phone's records (which each receipt updates), never from
 * counters of the sync in progress: it is true before the first try and after a partial one. */
export function toSendText(visits, photosOf, running) {
  const going = visits.filter((visit) => GOING.includes(visit.state));
  const unsentVisits = going.filter((visit) => !visit.receipt).length;
  const unsentPhotos = going.flatMap((visit) => photosOf(visit.id)).filter((photo) => photo.status !== 'server');
  const bytes = unsentPhotos.reduce((sum, photo) => sum + photo.size - (photo.confirmed || 0), 0);
  const parts = [];
  if (unsentVisits) parts.push(plural(unsentVisits, 'visit', 'visits'));
  // A no-break space keeps "18 KB" on one line.
  if (unsentPhotos.length) parts.push(`${plural(unsentPhotos.length, 'photo', 'photos')} (${formatBytes(bytes).replace(' ', '\u00a0')})`);
  if (!parts.length) {
    if (running) return 'Checking for changes…';
    return visits.some((visit) => visit.state === 'complete') ? 'Everything finished is on the school’s server.' : 'Nothing waiting to send.';
  }
  return `${running ? 'Sending. ' : ''}Still to send: ${parts.join(' and ')}.`;
}

export function renderOutbox({ visits, photosOf, progress, lastSync, running }) {
  const ratio = progress && progress.bytesTotal ? progress.bytesDone / progress.bytesTotal
    : (progress && progress.visitsTotal ? progress.visitsDone / progress.visitsTotal : 0);
  // What Today counts as needing attention comes first (a visit sent back by the office, one
  // the server refused), then the rest by how far each has to go.
  const order = ['attention', 'conflict', 'sending', 'ready', 'incomplete', 'draft', 'complete'];
  const rank = (visit) => (needsAttention(visit) ? -1 : order.indexOf(visit.state));
  const sorted = [...visits].sort((a, b) => rank(a) - rank(b));
  return h('section', { class: 'screen outbox' },
    heading('Outbox'),
    h('div', { class: 'card stack sync-card' },
      h('p', { id: 'sync-progress', role: 'status', 'aria-live': 'polite' }, toSendText(visits, photosOf, running)),
      running ? h('progress', { max: 1, value: Math.min(1, ratio), 'aria-labelledby': 'sync-progress' }) : null,
      lastSync ? h('p', { class: 'muted' }, `Last reached the server ${formatDateTime(lastSync)}`) : h('p', { class: 'muted' }, 'Not reached the server yet on this phone.'),
      h('button', { type: 'button', class: 'button primary wide', disabled: running, onclick: (e) => emit(e.target, 'sync-now') }, running ? 'Syncing…' : 'Sync now')),
    sorted.length ? h('ul', { class: 'cards' }, sorted.map((visit) => visitCard(visit, photosOf(visit.id))))
      : h('p', { class: 'card' }, 'No visits on this phone yet.'),
    h('details', { class: 'card' }, h('summary', {}, 'What the states mean'),
      h('dl', { class: 'facts' }, ['draft', 'ready', 'sending', 'incomplete', 'complete', 'attention'].map((state) => [
        h('dt', {}, STATES[state].label), h('dd', {}, STATES[state].help)]),
      h('dt', {}, 'When does a visit leave the phone?'), h('dd', {}, 'Seven days after the school confirmed the whole visit and every photo.'))));
}
