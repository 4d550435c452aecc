/*
 * Notices above every screen: an update is ready, sign in again, storage may be cleared or is
 * low, a visit has waited more than a day, and (on an iPhone Safari tab) install to the Home
 * Screen, or (where the browser offers it, on Android) "Install app". Emits app:apply-update,
 * app:reauth, app:install and app:dismiss {name}.
 */
import { emit, h } from './dom.js';

export function installAdvice() {
  return h('div', { class: 'notice warn install', role: 'note' },
    h('strong', {}, 'Add this app to your Home Screen before your first visit.'),
    h('p', {}, 'On iPhone, visits saved in a Safari tab are kept apart from the Home Screen app, and Safari may delete them after 7 days without use.'),
    h('ol', {}, h('li', {}, 'Tap the Share button (the square with an arrow).'), h('li', {}, 'Tap “Add to Home Screen”.'),
      h('li', {}, 'Open AP visits from the Home Screen and sign in there.')));
}

function dismiss(name) {
  return h('button', { type: 'button', class: 'button small quiet', onclick: (e) => emit(e.target, 'dismiss', { name }) }, 'Dismiss');
}

export function renderBanners(state) {
  const notices = [];
  if (state.updateReady) {
    notices.push(h('div', { class: 'notice info update', role: 'status', id: 'update-banner' },
      h('strong', {}, 'Update ready'),
      h('p', {}, state.formOpen ? 'Your draft is saved first; you come back to it after the update.' : 'A new version of the app is ready.'),
      h('button', { type: 'button', class: 'button primary', onclick: (e) => emit(e.target, 'apply-update') }, 'Update now')));
  }
  if (state.signinNeeded) {
    notices.push(h('div', { class: 'notice bad', role: 'alert' },
      h('strong', {}, 'Sign in again to send your visits.'), h('p', {}, 'Nothing is lost: they are kept on this phone.'),
      h('button', { type: 'button', class: 'button', onclick: (e) => emit(e.target, 'reauth') }, 'Sign in again')));
  }
  if (state.othersWaiting && !state.dismissed.has('others')) {
    notices.push(h('div', { class: 'notice info', role: 'status', id: 'others-waiting' },
      h('p', {}, `${state.othersWaiting} ${state.othersWaiting === 1 ? 'visit' : 'visits'} from another account ${state.othersWaiting === 1 ? 'is' : 'are'} waiting on this phone. `
        + 'They stay locked until that person signs in here.'), dismiss('others')));
  }
  if (state.staleCount) {
    notices.push(h('div', { class: 'notice warn', role: 'status' },
      h('strong', {}, `${state.staleCount} ${state.staleCount === 1 ? 'visit has' : 'visits have'} waited more than a day to send.`),
      h('p', {}, 'Connect to the internet (Wi-Fi or mobile data) and tap Sync now in the outbox.')));
  }
  if (state.storageLow) {
    notices.push(h('div', { class: 'notice warn', role: 'status' },
      h('strong', {}, 'This phone is running out of space.'), h('p', {}, 'Sync your visits and free some space, or new photos may not save.')));
  }
  if (state.persistRefused && state.route === 'today' && !state.dismissed.has('persist')) {
    notices.push(h('div', { class: 'notice info', role: 'status' },
      h('p', {}, 'This browser may clear saved visits if the phone runs short of space. Sync often; installing the app helps.'), dismiss('persist')));
  }
  // The start screens show the same advice in place; Today is where it is seen first.
  if (state.iosTab && state.route === 'today') notices.push(installAdvice());
  if (state.installOffer && state.route === 'today' && !state.dismissed.has('install')) notices.push(installOffer());
  return notices;
}

function installOffer() {
  return h('div', { class: 'notice info install', role: 'region', 'aria-label': 'Install the app', id: 'install-offer' },
    h('strong', {}, 'Install AP visits on this phone'),
    h('p', {}, 'It then opens from your home screen like any app, and the browser is less likely to clear visits saved on the phone.'),
    h('div', { class: 'notice-actions' },
      h('button', { type: 'button', class: 'button primary', onclick: (e) => emit(e.target, 'install') }, 'Install app'),
      h('button', { type: 'button', class: 'button quiet', onclick: (e) => emit(e.target, 'dismiss', { name: 'install' }) }, 'Not now')));
}
