/*
 * The outbox: every visit on this phone with its state and, when it is stuck, why; the sync
 * progress; and "Sync now". Emits app:sync-now, app:resend {visitId},
 * app:resend-new-version {visitId, baseVersion} and app:correct {visitId}.
 */
import { formatBytes, formatDate, formatDateTime, label, STATES } from '../labels.js';
import { needsAttention } from '../outbox.js';
import { emit, h, heading } from './dom.js';

function stateLine(visit, photoCounts) {
  const state = STATES[visit.state] || STATES.draft;
  let text = state.label;
  if (visit.state === 'incomplete') {
    const missing = photoCounts.missing;
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

function visitCard(visit, photoCounts) {
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
    stateLine(visit, photoCounts),
    h('p', { class: 'muted' }, `${photoCounts.total} ${photoCounts.total === 1 ? 'photo' : 'photos'}`
      + (visit.completed_at ? ` · completed ${formatDateTime(visit.completed_at)}` : '')),
    reason, details, reviewLine(visit), action);
}

export function progressText(progress) {
  if (!progress || !progress.visitsTotal) return progress?.running ? 'Checking for changes…' : 'Nothing waiting to send.';
  const parts = [`${progress.visitsDone} of ${progress.visitsTotal} ${progress.visitsTotal === 1 ? 'visit' : 'visits'}`];
  if (progress.photosTotal) {
    parts.push(`${progress.photosDone} of ${progress.photosTotal} photos`);
    parts.push(`${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`);
  }
  return `${progress.running ? 'Sending: ' : 'Last sync: '}${parts.join(' · ')}`;
}

export function renderOutbox({ visits, photoCounts, progress, lastSync, running }) {
  const ratio = progress && progress.visitsTotal
    ? (progress.visitsDone + (progress.photosTotal ? progress.photosDone / progress.photosTotal : 0)) / (progress.visitsTotal + (progress.photosTotal ? 1 : 0))
    : 0;
  // What Today counts as needing attention comes first (a visit sent back by the office, one
  // the server refused), then the rest by how far each has to go.
  const order = ['attention', 'conflict', 'sending', 'ready', 'incomplete', 'draft', 'complete'];
  const rank = (visit) => (needsAttention(visit) ? -1 : order.indexOf(visit.state));
  const sorted = [...visits].sort((a, b) => rank(a) - rank(b));
  return h('section', { class: 'screen outbox' },
    heading('Outbox'),
    h('div', { class: 'card stack sync-card' },
      h('p', { id: 'sync-progress', role: 'status', 'aria-live': 'polite' }, progressText(progress)),
      running ? h('progress', { max: 1, value: Math.min(1, ratio), 'aria-labelledby': 'sync-progress' }) : null,
      lastSync ? h('p', { class: 'muted' }, `Last reached the server ${formatDateTime(lastSync)}`) : h('p', { class: 'muted' }, 'Not reached the server yet on this phone.'),
      h('button', { type: 'button', class: 'button primary wide', disabled: running, onclick: (e) => emit(e.target, 'sync-now') }, running ? 'Syncing…' : 'Sync now')),
    sorted.length ? h('ul', { class: 'cards' }, sorted.map((visit) => visitCard(visit, photoCounts.get(visit.id) || { total: 0, missing: 0 })))
      : h('p', { class: 'card' }, 'No visits on this phone yet.'),
    h('details', { class: 'card' }, h('summary', {}, 'What the states mean'),
      h('dl', { class: 'facts' }, ['draft', 'ready', 'sending', 'incomplete', 'complete', 'attention'].map((state) => [
        h('dt', {}, STATES[state].label), h('dd', {}, STATES[state].help)]),
      h('dt', {}, 'When does a visit leave the phone?'), h('dd', {}, 'Seven days after the school confirmed the whole visit and every photo.'))));
}
