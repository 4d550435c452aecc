/*
 * The PIN screens. "Choose a PIN" comes straight after an online sign-in and emits
 * app:choose-pin {pin, repeat}; "Enter your PIN" opens the app when it starts again and emits
 * app:unlock {pin}. The controller answers with `showError(text)`. A PIN is typed into a
 * password box with autofill off: the browser never keeps it.
 */
import { emit, h, heading } from './dom.js';

function pinInput(id, describedBy) {
  return h('input', {
    id, name: id, type: 'password', inputmode: 'numeric', autocomplete: 'off', required: true,
    autocapitalize: 'off', spellcheck: 'false', 'aria-describedby': describedBy,
  });
}

function pinForm(fields, buttonText, submit) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'pin-error' });
  const button = h('button', { type: 'submit', class: 'button primary wide' }, buttonText);
  const form = h('form', {
    class: 'card stack', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      const problem = submit(form);
      if (problem) { error.textContent = problem; return; }
      button.disabled = true;
      button.textContent = 'Opening…';
    },
  }, ...fields, error, button);
  form.showError = (text) => {
    error.textContent = text;
    button.disabled = false;
    button.textContent = buttonText;
    for (const input of form.querySelectorAll('input')) input.value = '';
    form.querySelector('input').focus();
  };
  return form;
}

export function renderChoosePin({ minLength, tries }) {
  const pin = pinInput('pin-new', 'pin-hint');
  const repeat = pinInput('pin-repeat', 'pin-hint');
  const form = pinForm([
    h('label', { for: 'pin-new' }, 'New PIN'), pin,
    h('label', { for: 'pin-repeat' }, 'The same PIN again'), repeat,
  ], 'Set PIN', (self) => {
    if (!pin.value || pin.value !== repeat.value) return 'The two PINs are not the same. Type them again.';
    emit(self, 'choose-pin', { pin: pin.value });
    return '';
  });
  return h('section', { class: 'screen pin' },
    heading('Choose a PIN for this phone'),
    h('p', { class: 'lead', id: 'pin-hint' },
      `At least ${minLength} digits. You type it each time you open the app here, with or without a signal.`),
    h('p', {}, `Pupils’ details on this phone are kept encrypted and only your PIN opens them. After ${tries} wrong tries the app asks for your password instead, which needs a connection.`),
    form);
}

export function renderUnlock({ userName }) {
  const pin = pinInput('pin', 'pin-who');
  const form = pinForm([h('label', { for: 'pin' }, 'PIN'), pin], 'Open', (self) => {
    if (!pin.value) return 'Enter your PIN.';
    emit(self, 'unlock', { pin: pin.value });
    return '';
  });
  return h('section', { class: 'screen pin' },
    heading('Enter your PIN'),
    h('p', { class: 'lead', id: 'pin-who' }, `Signed in as ${userName}.`),
    form,
    h('p', {}, h('a', { href: '#/signin' }, 'Forgotten your PIN? Sign in with your password')));
}
