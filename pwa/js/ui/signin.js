/*
 * The sign-in screen. Emits app:sign-in {email, password}; the controller answers with
 * `showError()` or moves on. `lockedCount` tells whoever picks up the phone that locked
 * visits wait here, safe until the person who recorded them signs in.
 */
import { emit, h, heading } from './dom.js';

export function renderSignIn({ lockedCount = 0, message = '', email = '' }) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'signin-error' }, message);
  const emailInput = h('input', { id: 'signin-email', type: 'email', name: 'email', autocomplete: 'username', required: true, value: email, inputmode: 'email' });
  const password = h('input', { id: 'signin-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'button primary wide' }, 'Sign in');
  const form = h('form', {
    class: 'card stack', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      if (!emailInput.value.trim() || !password.value) {
        error.textContent = 'Enter your school email and password.';
        return;
      }
      button.disabled = true;
      button.textContent = 'Signing in…';
      emit(form, 'sign-in', { email: emailInput.value.trim(), password: password.value });
    },
  },
  h('label', { for: 'signin-email' }, 'School email'), emailInput,
  h('label', { for: 'signin-password' }, 'Password'), password,
  error, button);

  form.showError = (text) => {
    error.textContent = text;
    button.disabled = false;
    button.textContent = 'Sign in';
    password.value = '';
    password.focus();
  };

  const locked = lockedCount > 0
    ? h('div', { class: 'notice info', role: 'status' },
      h('strong', {}, `${lockedCount} locked ${lockedCount === 1 ? 'visit is' : 'visits are'} waiting on this phone.`),
      h('p', {}, 'Nobody can read them here. They send when the person who recorded them signs in again.'))
    : null;

  return h('section', { class: 'screen signin' },
    heading('Sign in'),
    h('p', { class: 'lead' }, 'AP visits: record visits to alternative provision, even without a signal.'),
    locked, form);
}
