/*
 * Start a visit for a placement: which kind, how it happens (the modes its form allows) and
 * when. Emits app:start-visit {formId, formVersion, placementId, mode, visitDate}.
 */
import { label, today } from '../labels.js';
import { emit, h, heading, uid } from './dom.js';
import { pupilName } from './placement.js';

// Which visits suit which placement kind; the rest are offered for every placement.
const ONLY_FOR = { part_time_review: 'part_time_timetable', flexi_review: 'flexi_schooling' };
const ORDER = ['qa_visit', 'welfare_check', 'review_meeting', 'part_time_review', 'flexi_review'];

export function formsFor(placement, forms) {
  return ORDER.map((kind) => forms.find((form) => form.visit_kind === kind))
    .filter((form) => form && (!ONLY_FOR[form.visit_kind] || ONLY_FOR[form.visit_kind] === placement.kind));
}

export function renderStart({ placement, pupil, forms, installAdvice }) {
  const kindName = uid('kind');
  const modeName = uid('mode');
  const dateId = uid('date');
  const modeBox = h('fieldset', { class: 'choices' });
  const choices = formsFor(placement, forms);

  const showModes = (form) => {
    modeBox.replaceChildren(h('legend', {}, 'How does it happen?'),
      ...form.modes.map((mode, index) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: modeName, value: mode, checked: index === 0 }), h('span', {}, label('visit_modes', mode)))));
  };
  const kinds = h('fieldset', { class: 'choices' }, h('legend', {}, 'Which visit?'),
    choices.map((form, index) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: kindName, value: form.form_id, checked: index === 0, onchange: () => showModes(form) }),
      h('span', {}, form.title))));
  if (choices.length) showModes(choices[0]);

  // Never after today: the server refuses it (visit_date_in_future), as it would clear a
  // deadline ahead of time.
  const dateInput = h('input', { id: dateId, type: 'date', value: today(), max: today(), required: true });
  const form = h('form', {
    class: 'stack',
    onsubmit: (event) => {
      event.preventDefault();
      const formId = form.querySelector(`input[name="${kindName}"]:checked`)?.value;
      const chosen = choices.find((f) => f.form_id === formId);
      const mode = form.querySelector(`input[name="${modeName}"]:checked`)?.value;
      if (!chosen || !mode) return;
      emit(form, 'start-visit', { formId: chosen.form_id, formVersion: chosen.version, placementId: placement.id, mode, visitDate: dateInput.value || today() });
    },
  }, kinds, modeBox, h('div', { class: 'card stack' }, h('label', { for: dateId }, 'Date of the visit'), dateInput),
  h('button', { type: 'submit', class: 'button primary wide' }, 'Start'));

  return h('section', { class: 'screen start' },
    h('a', { href: `#/placement/${placement.id}`, class: 'back' }, `‹ ${pupilName(pupil)}`),
    heading('Start a visit'),
    h('p', { class: 'lead' }, pupilName(pupil)),
    installAdvice, form);
}
