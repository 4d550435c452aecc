/*
 * The sign-in screen. Emits app:sign-in {email, password}; the controller answers with
 * `showError()`, with `showSecondStep(step)` when the server asks for a code from an
 * authenticator app (then emits app:sign-in-code {token, code}, or app:sign-in-passkey {token}
 * when the person has a passkey and taps "Use passkey"), with `showRecoveryCodes()`
 * after someone adds an app here, or moves on. `lockedCount` tells whoever picks up the phone
 * that locked visits wait here, safe until the person who recorded them signs in.
 */
import { emit, h, heading } from './dom.js';
import { available as passkeysAvailable } from '../passkey.js';

export function renderSignIn({ lockedCount = 0, message = '', email = '' }) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'signin-error' }, message);
  const emailInput = h('input', { id: 'signin-email', type: 'email', name: 'email', autocomplete: 'username', required: true, value: email, inputmode: 'email' });
  const password = h('input', { id: 'signin-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'button primary wide' }, 'Sign in');
  let step = null;   // the server's second step, once the password was right
  let codeInput = null;
  const form = h('form', {
    class: 'card stack', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      if (step) {
        if (!codeInput.value.trim()) {
          error.textContent = 'Enter the code from your authenticator app.';
          return;
        }
        busy();
        emit(form, 'sign-in-code', { token: step.pending_token, code: codeInput.value.trim() });
        return;
      }
      if (!emailInput.value.trim() || !password.value) {
        error.textContent = 'Enter your school email and password.';
        return;
      }
      busy();
      emit(form, 'sign-in', { email: emailInput.value.trim(), password: password.value });
    },
  },
  h('label', { for: 'signin-email' }, 'School email'), emailInput,
  h('label', { for: 'signin-password' }, 'Password'), password,
  error, button);

  function busy() {
    button.disabled = true;
    button.textContent = 'Signing in…';
  }

  form.showError = (text, { startAgain = false } = {}) => {
    if (startAgain && step) {
      step = null;
      form.replaceChildren(h('label', { for: 'signin-email' }, 'School email'), emailInput,
        h('label', { for: 'signin-password' }, 'Password'), password, error, button);
    }
    error.textContent = text;
    button.disabled = false;
    button.textContent = step ? 'Continue' : 'Sign in';
    if (step) {
      codeInput.value = '';
      codeInput.focus();
    } else {
      password.value = '';
      password.focus();
    }
  };

  form.showSecondStep = (secondStep) => {
    step = secondStep;
    const enrol = step.second_factor === 'enrol';
    codeInput = h('input', {
      id: 'signin-code', type: 'text', name: 'code', autocomplete: 'one-time-code', required: true,
      inputmode: enrol ? 'numeric' : 'text', autocapitalize: 'off', spellcheck: 'false', maxlength: '40',
    });
    const parts = [h('p', { class: 'lead', id: 'signin-code-hint' }, step.message)];
    if (enrol) {
      parts.push(
        h('img', { class: 'qr', alt: 'QR code to add AP visits to an authenticator app',
          src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(step.qr_svg)}` }),
        h('p', {}, 'Key: ', h('code', { class: 'secret' }, step.secret.match(/.{1,4}/g).join(' '))));
    } else {
      parts.push(h('p', { class: 'hint' }, 'Lost your phone? Enter one of your recovery codes instead.'));
    }
    codeInput.setAttribute('aria-describedby', 'signin-code-hint');
    error.textContent = '';
    button.disabled = false;
    button.textContent = 'Continue';
    const usePasskey = !enrol && step.passkey && passkeysAvailable()
      ? h('button', {
        type: 'button', class: 'button primary wide', id: 'signin-passkey',
        onclick: () => { error.textContent = ''; emit(form, 'sign-in-passkey', { token: step.pending_token }); },
      }, 'Use passkey')
      : null;
    if (usePasskey) {
      // The passkey first; the code (or a recovery code) is the fallback below it.
      button.className = 'button wide';
      parts.unshift(h('p', { class: 'lead' }, 'Use your passkey, or enter a code.'), usePasskey);
    }
    form.replaceChildren(...parts, h('label', { for: 'signin-code' }, enrol ? 'Code from the app' : 'Code'), codeInput, error, button);
    (usePasskey || codeInput).focus();
  };

  form.showRecoveryCodes = (codes, done) => {
    const carryOn = h('button', { type: 'button', class: 'button primary wide', onclick: done }, 'I have kept them: continue');
    form.replaceChildren(
      h('p', { class: 'lead', role: 'status' }, 'Two-step sign-in is on.'),
      h('p', {}, 'If you lose your phone, each of these codes signs you in once. Write them down and keep them away from this phone. They are shown only now.'),
      h('ul', { class: 'recovery-codes' }, codes.map((code) => h('li', {}, h('code', {}, code)))),
      carryOn);
    carryOn.focus();
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
