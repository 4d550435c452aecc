/*
 * Signing out on a shared phone. The default locks unsent visits (they send after the same
 * person signs in again); discarding them takes a second, explicit confirmation, which is
 * recorded. Emits app:sign-out {discardIds}. Also the screen shown after signing out.
 */
import { label } from '../labels.js';
import { emit, h, heading } from './dom.js';

export function renderSignOut({ unsent }) {
  const count = unsent.length;
  const confirmBox = h('input', { type: 'checkbox', id: 'confirm-discard' });
  const discard = h('button', {
    type: 'button', class: 'button danger wide', disabled: true,
    onclick: (e) => emit(e.target, 'sign-out', { discardIds: unsent.map((v) => v.id) }),
  }, `Discard ${count} unsent ${count === 1 ? 'visit' : 'visits'} and sign out`);
  confirmBox.addEventListener('change', () => { discard.disabled = !confirmBox.checked; });

  return h('section', { class: 'screen signout' },
    heading('Sign out'),
    count ? h('div', { class: 'card stack' },
      h('p', {}, h('strong', {}, `${count} ${count === 1 ? 'visit has' : 'visits have'} not reached the school yet:`)),
      h('ul', {}, unsent.map((visit) => h('li', {}, `${visit.title || ''} · ${label('visit_kinds', visit.kind)}`))),
      h('p', {}, 'Signing out locks them on this phone. Nobody else can read them, and they send when you sign in here again.'))
      : h('p', { class: 'card' }, 'Everything you recorded has reached the school. Signing out removes pupil details from this phone.'),
    h('button', { type: 'button', class: 'button primary wide', onclick: (e) => emit(e.target, 'sign-out', { discardIds: [] }) },
      count ? 'Lock my visits and sign out' : 'Sign out'),
    count ? h('details', { class: 'card danger-zone' }, h('summary', {}, 'Discard them instead'),
      h('p', {}, 'Discarded visits are deleted from this phone and never reach the school. The school is told that you discarded them.'),
      h('label', { class: 'check', for: 'confirm-discard' }, confirmBox, ` Yes, delete ${count === 1 ? 'this visit' : 'these visits'} for good`),
      discard) : null,
    h('a', { href: '#/today', class: 'button wide' }, 'Cancel'));
}

export function renderSignedOut({ lockedCount }) {
  return h('section', { class: 'screen signed-out' },
    heading('Signed out'),
    h('div', { class: 'notice good', role: 'status' },
      h('p', {}, 'No pupil details are readable on this phone now.'),
      lockedCount ? h('p', {}, h('strong', {}, `${lockedCount} unsent ${lockedCount === 1 ? 'visit is' : 'visits are'} locked on this phone.`),
        ' They send after you sign in here again.') : null),
    h('a', { href: '#/signin', class: 'button primary wide' }, 'Sign in'));
}
