/*
 * A provider: registration, contacts, and the pre-placement check that starts from it.
 * Emits app:start-visit {formId, providerId, mode, visitDate}.
 */
import { label, today } from '../labels.js';
import { emit, h, heading, uid } from './dom.js';

export function renderProvider({ provider, form, installAdvice }) {
  const modeName = uid('mode');
  const dateId = uid('date');
  const modes = form ? form.modes : [];
  const screen = h('section', { class: 'screen provider' },
    h('a', { href: '#/today', class: 'back' }, '‹ Today'),
    heading(provider.name),
    h('p', { class: 'lead' }, label('registration_statuses', provider.registration_status)),
    provider.registration_status === 'unregistered'
      ? h('p', { class: 'notice bad' }, 'Unregistered. A provider that should be registered must not be used: check before any placement.') : null,
    h('div', { class: 'card' }, h('dl', { class: 'facts' },
      provider.urn ? [h('dt', {}, 'URN'), h('dd', {}, provider.urn)] : null,
      [h('dt', {}, 'LA approved list'), h('dd', {}, provider.on_la_approved_list ? 'Yes' : 'No')],
      provider.address ? [h('dt', {}, 'Address'), h('dd', {}, provider.address)] : null,
      provider.website ? [h('dt', {}, 'Website'), h('dd', {}, provider.website)] : null,
      provider.contact_phone ? [h('dt', {}, 'Contact'), h('dd', {},
        h('a', { href: `tel:${provider.contact_phone.replace(/\s+/g, '')}`, class: 'phone-link' },
          `${provider.contact_name || 'Office'}: ${provider.contact_phone}`))] : null)),
    installAdvice);
  if (!form) return screen;
  // Never after today: the server refuses it (visit_date_in_future), as it would clear a
  // deadline ahead of time.
  const dateInput = h('input', { id: dateId, type: 'date', value: today(), max: today(), required: true });
  const fieldset = h('fieldset', { class: 'choices' }, h('legend', {}, 'How is the check done?'),
    modes.map((mode, index) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: modeName, value: mode, checked: index === 0 }), h('span', {}, label('visit_modes', mode)))));
  const startForm = h('form', {
    class: 'card stack',
    onsubmit: (event) => {
      event.preventDefault();
      const mode = startForm.querySelector(`input[name="${modeName}"]:checked`)?.value;
      emit(startForm, 'start-visit', { formId: form.form_id, formVersion: form.version, providerId: provider.id, mode, visitDate: dateInput.value || today() });
    },
  }, h('h2', {}, form.title), fieldset, h('label', { for: dateId }, 'Date of the check'), dateInput,
  h('button', { type: 'submit', class: 'button primary wide' }, 'Start the provider check'));
  screen.append(startForm);
  return screen;
}
