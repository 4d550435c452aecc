/*
 * Review and complete: what the answer check (forms/check.js, the same rules the server runs)
 * says is missing, each with a button to jump to it, then "Complete visit". Emits
 * app:goto-item {visitId, key} and app:complete-visit {visitId}.
 */
import { formItems, length } from '../forms/check.js';
import { checkMessage, formatDate, label } from '../labels.js';
import { counterText, isOver } from './counter.js';
import { emit, h, heading } from './dom.js';

const WHERE = { '@mode': 'How the visit happened', '@form': 'The form', '@actions': 'Follow-up actions', '@concern': 'Safeguarding concern' };

function tooLong(text, max) {
  return `This is too long (${counterText(length(text), max)}). Shorten it.`;
}

/**
 * Problems the answer check does not cover: follow-up actions and the concern must be whole,
 * and within the limits the server holds them to (`limits`, from vocabulary.json).
 */
export function extraProblems(visit, limits) {
  const problems = {};
  const add = (key, message) => { problems[key] = [...(problems[key] || []), message]; };
  visit.actions.forEach((action) => {
    const key = action.item_key || '@actions';
    if (!action.description.trim() || !action.owner_name.trim() || !action.due_on) {
      add(key, 'Give each follow-up action what, who and by when.');
    }
    if (isOver(action.description, limits.action_description)) add(key, `What needs to happen? ${tooLong(action.description, limits.action_description)}`);
    if (isOver(action.owner_name, limits.action_owner_name)) add(key, `Who will do it? ${tooLong(action.owner_name, limits.action_owner_name)}`);
  });
  const concern = visit.concern;
  if (concern && !concern.text.trim() && concern.immediate_action?.trim()) add('@concern', 'Write what the concern is.');
  if (concern && isOver(concern.text, limits.concern_text)) add('@concern', `What is the concern? ${tooLong(concern.text, limits.concern_text)}`);
  if (concern && isOver(concern.immediate_action, limits.concern_immediate_action)) {
    add('@concern', `What did you do straight away? ${tooLong(concern.immediate_action, limits.concern_immediate_action)}`);
  }
  return problems;
}

export function renderReview({ visit, form, errors, extra, subtitle, photoCount }) {
  const labels = new Map(formItems(form).map((item) => [item.key, item.label]));
  const keys = [...new Set([...formItems(form).map((i) => i.key).filter((k) => errors[k] || extra[k]),
    ...Object.keys(errors).filter((k) => !labels.has(k)), ...Object.keys(extra).filter((k) => !labels.has(k))])];
  const count = keys.length;
  const screen = h('section', { class: 'screen review' },
    h('a', { href: `#/visit/${visit.id}`, class: 'back' }, '‹ Back to the form'),
    heading('Review and complete'),
    h('p', { class: 'lead' }, `${form.title} · ${subtitle}`),
    h('p', { class: 'muted' }, `${label('visit_modes', visit.mode)} · ${formatDate(visit.visit_date)}`),
    h('ul', { class: 'summary' },
      h('li', {}, `${Object.keys(visit.answers).length} answers`),
      h('li', {}, `${photoCount} ${photoCount === 1 ? 'photo' : 'photos'}`),
      h('li', {}, `${visit.actions.length} follow-up ${visit.actions.length === 1 ? 'action' : 'actions'}`),
      h('li', { class: visit.concern?.text?.trim() ? 'concern-yes' : '' }, visit.concern?.text?.trim() ? 'Safeguarding concern raised' : 'No safeguarding concern')));

  if (count) {
    screen.append(h('div', { class: 'notice bad', role: 'alert' },
      h('h2', {}, `${count} ${count === 1 ? 'thing' : 'things'} to finish before completing`),
      h('ul', { class: 'problems' }, keys.map((key) => h('li', {},
        h('strong', {}, labels.get(key) || WHERE[key] || key),
        h('ul', {}, [...(errors[key] || []).map(checkMessage), ...(extra[key] || [])].map((m) => h('li', {}, m))),
        h('button', { type: 'button', class: 'button small', onclick: (e) => emit(e.target, 'goto-item', { visitId: visit.id, key }) }, 'Go to it'))))));
  } else {
    screen.append(h('div', { class: 'notice good', role: 'status' }, h('h2', {}, 'Everything needed is answered.'),
      h('p', {}, 'Completing locks the answers and sends the visit when there is a connection. Until the school has it, it stays on this phone.')));
  }
  screen.append(h('button', {
    type: 'button', class: 'button primary wide', disabled: count > 0,
    onclick: (event) => { event.target.disabled = true; emit(event.target, 'complete-visit', { visitId: visit.id }); },
  }, 'Complete visit'));
  return screen;
}
