/*
 * The controller: starts the app, draws the screen for the current route, and wires what
 * widgets emit (app:* events) to the modules that act on them: session.js (sign in/out),
 * editor.js (the open draft), outbox.js and sync.js (sending), update.js (new versions).
 * Queue and sync code never touch the DOM; this is the one place that listens to both.
 */
import * as api from './api.js';
import { missingPhotos } from './completeness.js';
import * as db from './db.js';
import * as device from './device.js';
import { VisitEditor } from './editor.js';
import { checkAnswers, visibleItemKeys } from './forms/check.js';
import * as install from './install.js';
import { limits, setVocabulary } from './labels.js';
import { PIN_MIN_LENGTH } from './lock.js';
import * as outbox from './outbox.js';
import * as passkey from './passkey.js';
import * as router from './router.js';
import * as session from './session.js';
import * as sync from './sync.js';
import * as update from './update.js';
import { installAdvice, renderBanners } from './ui/banners.js';
import { h, show } from './ui/dom.js';
import { renderOutbox } from './ui/outbox-view.js';
import { renderChoosePin, renderUnlock } from './ui/pin.js';
import { pupilName, renderPlacement } from './ui/placement.js';
import { renderProvider } from './ui/provider.js';
import { extraProblems, renderReview } from './ui/review.js';
import { renderSignIn } from './ui/signin.js';
import { renderSignedOut, renderSignOut } from './ui/signout.js';
import { renderStart } from './ui/start.js';
import { renderNav, renderSyncStatus } from './ui/status.js';
import { renderToday } from './ui/today.js';
import { renderVisitForm } from './ui/visit-form.js';

const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  snapshot: null,
  editor: null,        // the VisitEditor of the open form, if any
  formScreen: null,
  progress: null,
  running: false,
  sendingPhoto: null,  // the photo on its way to the server now
  confirmedBytes: new Map(),  // photo id → bytes of it the server has confirmed, as they come
  lastSync: null,
  waiting: 0,
  attention: 0,
  updateReady: false,
  signinNeeded: false,
  persistRefused: false,
  storageLow: false,
  staleCount: 0,
  dismissed: new Set(),
  iosTab: device.isIosSafariTab(),
  installOffer: false,  // the browser offers to install the app (Android, Chromium)
  signedOutLocked: 0,
  othersWaiting: 0,    // locked visits of other people on this phone
  schoolId: null,      // the school of the screen shown: whose DSL the button calls
  focusAfterDraw: null, // the form item to show once the form is drawn
  lockMessage: '',     // why the app asks for the password rather than the PIN
  lock: null,          // session.lockState() when the screen was last drawn
};

// Back in the app after this long away, the key leaves memory and the PIN is asked again.
const LOCK_AFTER_HIDDEN_MS = 5 * 60_000;

const owner = () => state.session?.user.id;
const isOpen = () => Boolean(state.session) && db.isUnlocked(owner());

// --- Looking things up in the snapshot -------------------------------------------------------

function find(list, id) {
  return (state.snapshot?.[list] || []).find((row) => row.id === id);
}

function latestForms() {
  const latest = new Map();
  for (const form of state.snapshot?.forms || []) {
    if (!latest.has(form.form_id) || latest.get(form.form_id).version < form.version) latest.set(form.form_id, form);
  }
  return [...latest.values()];
}

function formOf(visit) {
  return (state.snapshot?.forms || []).find((f) => f.form_id === visit.form_id && f.version === visit.form_version);
}

function subtitleOf(visit) {
  if (visit.kind === 'provider_check') return find('providers', visit.provider_id)?.name || visit.title;
  const placement = find('placements', visit.placement_id);
  return placement ? pupilName(find('pupils', placement.pupil_id)) : visit.title;
}

function dslContact() {
  const schools = state.snapshot?.schools || [];
  const school = schools.find((s) => s.id === state.schoolId) || schools[0];
  return school?.key_contacts.find((c) => c.role === 'dsl') || null;
}

// --- Drawing ---------------------------------------------------------------------------------

async function refreshCounts() {
  if (!isOpen()) return;
  const visits = await outbox.all(owner());
  state.waiting = visits.filter((v) => ['ready', 'sending', 'incomplete'].includes(v.state)).length;
  state.attention = visits.filter(outbox.needsAttention).length;
  state.staleCount = (await outbox.stale(owner())).length;
}

function drawChrome(routeName) {
  const signedIn = isOpen() && state.lock === 'open';
  show($('sync-status'), signedIn ? renderSyncStatus({ online: navigator.onLine, running: state.running, waiting: state.waiting, attention: state.attention }) : null);
  show($('banners'), ...renderBanners({ ...state, route: routeName, formOpen: Boolean(state.editor) }));
  show($('nav'), signedIn ? renderNav({ route: routeName, waiting: state.waiting, attention: state.attention > 0, dsl: dslContact() }) : null);
}

let drawing = 0;

/** Draw the current route. `moved` is true when the person navigated (focus goes to the title). */
async function draw(moved = false) {
  const ticket = ++drawing;
  const route = router.current();
  const screen = await screenFor(route);
  if (ticket !== drawing || screen === null) return;
  await refreshCounts();
  if (ticket !== drawing) return;
  drawChrome(route.name);
  const main = $('main');
  const scroll = window.scrollY;
  show(main, screen);
  if (state.focusAfterDraw && state.formScreen === screen) {
    screen.focusItem(state.focusAfterDraw);   // "Go to it" from the review step
    state.focusAfterDraw = null;
  } else if (moved) {
    window.scrollTo(0, 0);
    main.querySelector('.screen-title')?.focus({ preventScroll: true });
  } else {
    window.scrollTo(0, scroll);
  }
}

async function leaveForm(nextRoute) {
  if (!state.editor) return;
  if (nextRoute && nextRoute.id === state.editor.visit.id && ['visit', 'review'].includes(nextRoute.name)) return;
  await state.editor.flush();
  state.editor.close();
  state.editor = null;
  state.formScreen = null;
}

async function screenFor(route) {
  if (!state.session) {
    if (route.name === 'signedout') return renderSignedOut({ lockedCount: state.signedOutLocked });
    if (route.name !== 'signin') { router.go('#/signin'); return null; }
    return renderSignIn({ lockedCount: await session.othersWaiting(null) });
  }
  const lock = await session.lockState(owner());
  state.lock = lock;
  if (lock === 'choose-pin') return renderChoosePin({ minLength: PIN_MIN_LENGTH, tries: session.PIN_TRIES });
  if (lock === 'pin' && route.name !== 'signin') return renderUnlock({ userName: state.session.user.full_name });
  if (route.name === 'signin' || lock !== 'open') {
    return renderSignIn({ email: state.session.user.email, lockedCount: await session.othersWaiting(owner()), message: lock === 'open' ? '' : state.lockMessage });
  }
  await leaveForm(route);
  if (!state.snapshot && !['outbox', 'signout'].includes(route.name)) {
    return h('section', { class: 'screen' }, h('h1', { class: 'screen-title', tabindex: '-1' }, 'Getting your pupils…'),
      h('p', { class: 'card' }, 'The first sync needs a connection. Your visits are safe in the outbox meanwhile.'));
  }
  state.schoolId = null;
  switch (route.name) {
    case 'placement': return placementScreen(route.id);
    case 'provider': return providerScreen(route.id);
    case 'start': return startScreen(route.id);
    case 'visit': return visitScreen(route.id);
    case 'review': return reviewScreen(route.id);
    case 'outbox': return outboxScreen();
    case 'signout': return renderSignOut({ unsent: await session.unsentVisits(owner()) });
    default: return todayScreen();
  }
}

async function todayScreen() {
  const visits = await outbox.all(owner());
  return renderToday({
    snapshot: state.snapshot, drafts: visits.filter((v) => v.state === 'draft'),
    attentionCount: state.attention, userName: state.session.user.full_name,
  });
}

async function placementScreen(id) {
  const placement = find('placements', id);
  if (!placement) return todayScreen();
  state.schoolId = placement.school_id;
  const drafts = (await outbox.all(owner())).filter((v) => v.state === 'draft' && v.placement_id === id);
  return renderPlacement({ placement, pupil: find('pupils', placement.pupil_id), provider: find('providers', placement.provider_id), drafts });
}

function providerScreen(id) {
  const provider = find('providers', id);
  if (!provider) return todayScreen();
  state.schoolId = provider.school_id;
  const form = latestForms().find((f) => f.visit_kind === 'provider_check');
  return renderProvider({ provider, form, installAdvice: state.iosTab ? installAdvice() : null });
}

function startScreen(id) {
  const placement = find('placements', id);
  if (!placement) return todayScreen();
  state.schoolId = placement.school_id;
  return renderStart({ placement, pupil: find('pupils', placement.pupil_id), forms: latestForms(), installAdvice: state.iosTab ? installAdvice() : null });
}

async function openEditor(id) {
  if (state.editor && state.editor.visit.id === id) return state.editor;
  const editor = await VisitEditor.open(id);
  if (!editor || editor.visit.owner !== owner()) return null;
  editor.onStatus = (text) => state.formScreen?.setSaved(text);
  state.editor = editor;
  return editor;
}

async function visitScreen(id) {
  const editor = await openEditor(id);
  if (!editor) return todayScreen();
  if (editor.visit.state !== 'draft') { router.go('#/outbox'); return null; }
  const form = formOf(editor.visit);
  state.schoolId = editor.visit.school_id;
  state.formScreen = renderVisitForm({
    visit: editor.visit, form, photos: editor.photos, thumbnail: editor.thumbnail, subtitle: subtitleOf(editor.visit), limits: limits(),
  });
  // Arriving from "Go to it" on the review step: say what is wrong next to each question.
  if (state.focusAfterDraw) state.formScreen.showProblems(problemsOf(editor, form));
  return state.formScreen;
}

/** The visit as it will be sent: answers to hidden questions are left out. */
function sendable(visit, form) {
  const shown = visibleItemKeys(form, { mode: visit.mode, answers: visit.answers });
  return { ...visit, answers: Object.fromEntries(Object.entries(visit.answers).filter(([key]) => shown.has(key))) };
}

/** What the answer check and the action/concern check say about the draft, and the visit as sent. */
function problemsOf(editor, form) {
  const visit = sendable(editor.visit, form);
  return { visit, errors: checkAnswers(form, outbox.payloadOf(visit, editor.photos), limits()), extra: extraProblems(visit, limits()) };
}

async function reviewScreen(id) {
  const editor = await openEditor(id);
  if (!editor) return todayScreen();
  if (editor.visit.state !== 'draft') { router.go('#/outbox'); return null; }
  await editor.flush();
  const form = formOf(editor.visit);
  state.schoolId = editor.visit.school_id;
  const { visit, errors, extra } = problemsOf(editor, form);
  state.formScreen = null;
  return renderReview({ visit, form, errors, extra, subtitle: subtitleOf(visit), photoCount: editor.photos.length });
}

/** Where a photo is: on the server (sent, or not missing from the visit's last receipt),
 * being sent now, or waiting. */
function photoStatus(visit, photo) {
  if (photo.sent || (visit.receipt && !missingPhotos(visit.receipt, [photo]).length)) return 'server';
  return state.sendingPhoto === photo.id ? 'sending' : 'queued';
}

async function outboxScreen() {
  const visits = await outbox.all(owner());
  const photos = new Map();
  for (const visit of visits) {
    photos.set(visit.id, (await outbox.photosOf(visit.id)).map((photo) => ({
      id: photo.id, caption: photo.caption, size: photo.size, status: photoStatus(visit, photo),
      confirmed: state.confirmedBytes.get(photo.id) ?? photo.confirmed ?? 0,
    })));
  }
  return renderOutbox({
    visits, photosOf: (id) => photos.get(id) || [], progress: state.progress, lastSync: state.lastSync, running: state.running,
  });
}

// --- What widgets ask for --------------------------------------------------------------------

function showSignInError(form, outcome) {
  if (outcome.kind === 'network' || outcome.kind === 'not-json') form.showError('No connection to the school’s server. Signing in needs a connection the first time.');
  else form.showError(outcome.error?.message || 'Could not sign in.', { startAgain: outcome.error?.code === 'second_factor_expired' });
}

async function signedIn() {
  state.lockMessage = '';
  await startSession(await session.current());
  router.go('#/today');
  draw(true);   // the PIN is chosen first, whatever the route was
}

/** The server ended this session (signed out elsewhere, a revoked device): close the records. */
async function sessionEnded() {
  if (state.editor) { await state.editor.flush(); state.editor.close(); state.editor = null; }
  sync.stop();
  await session.sessionEnded();
  Object.assign(state, { snapshot: null, progress: null, signinNeeded: false,
    lockMessage: 'Your session on this phone has ended. Sign in again to open your visits: they are kept here, encrypted.' });
  draw(true);
}

/** Out of sight for a while: the key leaves memory; the PIN opens the app again. */
async function closeRecords() {
  if (!isOpen() || (await session.lockState(owner())) !== 'open') return;
  if (state.editor) { await state.editor.flush(); state.editor.close(); state.editor = null; }
  sync.stop();
  db.forgetKey();
  Object.assign(state, { snapshot: null, progress: null });
  draw(true);
}

const handlers = {
  async 'sign-in'({ email, password }, target) {
    const outcome = await session.signIn(email, password);
    const form = target.closest('form');
    if (outcome.kind === 'second-factor') form.showSecondStep(outcome.step);
    else if (!outcome.ok) showSignInError(form, outcome);
    else await signedIn();
  },
  async 'sign-in-code'({ token, code }, target) {
    const outcome = await session.signInWithCode(token, code);
    const form = target.closest('form');
    if (!outcome.ok) showSignInError(form, outcome);
    else if (outcome.recoveryCodes.length) form.showRecoveryCodes(outcome.recoveryCodes, signedIn);
    else await signedIn();
  },
  async 'sign-in-passkey'({ token }, target) {
    const form = target.closest('form');
    const answer = await passkey.answer(token);
    const outcome = answer.ok ? await session.signInWithPasskey(token, answer.credential) : answer;
    if (!outcome.ok) showSignInError(form, outcome);
    else await signedIn();
  },
  async 'start-visit'(detail) {
    const form = (state.snapshot.forms || []).find((f) => f.form_id === detail.formId && f.version === detail.formVersion);
    const placement = detail.placementId ? find('placements', detail.placementId) : null;
    const provider = detail.providerId ? find('providers', detail.providerId) : null;
    const visit = await outbox.startDraft({
      owner: owner(), form, placement, provider, mode: detail.mode, visitDate: detail.visitDate,
      schoolId: (placement || provider).school_id,
      title: placement ? pupilName(find('pupils', placement.pupil_id)) : provider.name,
    });
    router.go(`#/visit/${visit.id}`);
  },
  'draft-changed'() {
    state.editor?.changed();
  },
  async 'add-photo'({ itemKey, file }) {
    if (!state.editor) return;
    if (await state.editor.addPhoto(itemKey, file)) state.formScreen?.photosChanged();
  },
  async 'remove-photo'({ photo }) {
    if (!state.editor || !window.confirm('Remove this photo from the visit?')) return;
    await state.editor.removePhoto(photo);
    state.formScreen?.photosChanged();
  },
  'caption-photo'({ photo, caption }) {
    state.editor?.captionPhoto(photo, caption);
  },
  'goto-item'({ visitId, key }) {
    state.focusAfterDraw = key;
    router.go(`#/visit/${visitId}`);
  },
  async 'complete-visit'({ visitId }) {
    const editor = state.editor;
    if (!editor || editor.visit.id !== visitId) return;
    await editor.flush();
    const { visit, errors, extra } = problemsOf(editor, formOf(editor.visit));
    if (Object.keys(errors).length || Object.keys(extra).length) { draw(); return; }
    Object.assign(editor.visit, { answers: visit.answers });
    await outbox.complete(editor.visit, editor.photos);
    editor.close();
    state.editor = null;
    router.go('#/outbox');
    sync.requestBackgroundSync();
    sync.syncNow();
  },
  'sync-now'() {
    sync.syncNow();
  },
  async resend({ visitId }) {
    await outbox.requeue(await db.getVisit(visitId));
    sync.syncNow();
  },
  async 'resend-new-version'({ visitId, baseVersion }) {
    await outbox.requeue(await db.getVisit(visitId), baseVersion ?? null);
    sync.syncNow();
  },
  async correct({ visitId }) {
    await outbox.reopenForCorrection(await db.getVisit(visitId));
    router.go(`#/visit/${visitId}`);
  },
  async 'apply-update'() {
    if (state.editor) await state.editor.flush();
    update.applyUpdate();
  },
  reauth() {
    router.go('#/signin');
  },
  async 'choose-pin'({ pin }, target) {
    const outcome = await session.choosePin(pin);
    if (!outcome.ok) { target.closest('form').showError(outcome.problem); return; }
    router.go('#/today');
    draw(true);
  },
  async unlock({ pin }, target) {
    const outcome = await session.unlockWithPin(pin);
    if (outcome.ok) {
      await startSession(state.session);
      draw(true);
      return;
    }
    if (outcome.kind === 'wrong') {
      target.closest('form').showError(`That PIN is not right. ${outcome.left} ${outcome.left === 1 ? 'try' : 'tries'} left before the app asks for your password.`);
      return;
    }
    state.lockMessage = 'Too many wrong PINs. Sign in with your password to open your visits: they are kept here, encrypted. This needs a connection.';
    draw(true);
  },
  async dismiss({ name }) {
    state.dismissed.add(name);
    // The storage notice and the install offer are about this browser, not this visit or this
    // person: once declined, they stay away. Stored before the notice goes, so a reload the
    // moment it has gone still finds it declined.
    if (name === 'persist') await db.setMeta('persist_notice_dismissed', true);
    if (name === 'install') await db.setMeta('install_offer_dismissed', true);
    drawChrome(router.current().name);
  },
  async install() {
    const outcome = await install.prompt();
    // Declined in the browser's own dialog counts as "Not now": the browser menu still offers it.
    if (outcome === 'dismissed') await handlers.dismiss({ name: 'install' });
  },
  async 'sign-out'({ discardIds }) {
    if (state.editor) { await state.editor.flush(); state.editor.close(); state.editor = null; }
    const me = owner();
    sync.stop();
    await session.signOut({ discardIds });
    state.signedOutLocked = (await db.lockedOf(me)).filter((row) => row.kind === 'visits').length;
    Object.assign(state, { session: null, snapshot: null, progress: null, signinNeeded: false, waiting: 0, attention: 0 });
    router.go('#/signedout');
  },
};

for (const name of Object.keys(handlers)) {
  document.addEventListener(`app:${name}`, (event) => {
    handlers[name](event.detail, event.target);
  });
}

// --- Signed in: keep the snapshot, the checks and the sync going ------------------------------

async function checkStorage() {
  state.storageLow = await device.storageLow();
  if (isOpen()) state.staleCount = (await outbox.stale(owner())).length;
}

async function startSession(current) {
  state.session = current;
  state.signinNeeded = false;
  state.snapshot = await db.getSnapshot();
  state.lastSync = await db.getMeta('last_sync');
  sync.start(current.user.id);
  state.othersWaiting = await session.othersWaiting(current.user.id);
  state.persistRefused = (await device.askPersistentStorage()) === 'refused';
  if (await db.getMeta('persist_notice_dismissed')) state.dismissed.add('persist');
  await checkStorage();
  sync.syncNow();
}

sync.events.addEventListener('progress', (event) => {
  state.progress = event.detail;
  state.running = event.detail.running;
  redrawIfShowing(['outbox']);
});
sync.events.addEventListener('visit', () => redrawIfShowing(['outbox']));
sync.events.addEventListener('photo', (event) => {
  state.sendingPhoto = event.detail.sending ? event.detail.photoId : null;
  if (typeof event.detail.confirmed === 'number') state.confirmedBytes.set(event.detail.photoId, event.detail.confirmed);
  redrawIfShowing(['outbox']);
});
// Every answer from the server moves "Last reached the server" on, in the middle of a sync too.
sync.events.addEventListener('reached', (event) => {
  state.lastSync = event.detail.at;
  redrawIfShowing(['outbox']);
});
sync.events.addEventListener('signin-needed', async () => {
  state.signinNeeded = true;
  drawChrome(router.current().name);
  // A 401 from the session check itself is the server's word that the session is over.
  if ((await session.confirm()).signedOut) await sessionEnded();
});
sync.events.addEventListener('pulled', async () => {
  if (!isOpen()) return;
  state.snapshot = await db.getSnapshot();
  redrawIfShowing(['today', 'placement', 'provider', 'start', 'outbox']);
});
sync.events.addEventListener('done', async (event) => {
  state.running = false;
  state.sendingPhoto = null;
  if (event.detail.outcome === 'ok') state.signinNeeded = false;
  await checkStorage();
  redrawIfShowing(['today', 'outbox', 'signout']);
});

/** Redraw when showing one of `names`; anything else (an open form) just gets its chrome updated. */
async function redrawIfShowing(names) {
  const route = router.current();
  // A PIN half typed is never wiped by a sync finishing behind it.
  if (names.includes(route.name) && !$('main').querySelector('.screen.pin')) draw();
  else {
    await refreshCounts();
    drawChrome(route.name);
  }
}

install.events.addEventListener('changed', () => {
  state.installOffer = install.canOffer();
  if (state.session) drawChrome(router.current().name);   // before that, boot draws it
});

update.events.addEventListener('update-ready', () => {
  state.updateReady = true;
  drawChrome(router.current().name);
});

router.onChange(() => draw(true));
window.addEventListener('online', () => drawChrome(router.current().name));

// A sign-out made without signal ends the server session the first moment the server answers:
// on coming back online or to the front, and every few seconds meanwhile (`online` is not
// trustworthy). Nothing is sent unless a sign-out is waiting.
const PENDING_SIGNOUT_RETRY_MS = 10_000;
const endPendingSignOut = () => session.finishPendingSignOut();
window.addEventListener('online', endPendingSignOut);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') endPendingSignOut();
});
setInterval(endPendingSignOut, PENDING_SIGNOUT_RETRY_MS);
window.addEventListener('offline', () => drawChrome(router.current().name));
// Leaving the app (switching away, locking the phone) saves the draft at once; coming back
// after LOCK_AFTER_HIDDEN_MS asks for the PIN again.
let hiddenAt = null;
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    hiddenAt = Date.now();
    state.editor?.flush();
  } else if (hiddenAt !== null && Date.now() - hiddenAt > LOCK_AFTER_HIDDEN_MS) {
    hiddenAt = null;
    closeRecords();
  }
});
window.addEventListener('pagehide', () => state.editor?.flush());

async function boot() {
  update.register().catch(() => null);
  if (await db.getMeta('install_offer_dismissed')) state.dismissed.add('install');
  setVocabulary(await api.vocabulary());
  sync.installTriggers();
  const current = await session.resume();
  if (current) {
    // The records stay closed until the PIN (or an online sign-in) opens them.
    state.session = current;
    session.confirm().then((answer) => {
      if (answer.signedOut) sessionEnded();
    });
  } else {
    endPendingSignOut();
  }
  draw(true);
}

boot();
