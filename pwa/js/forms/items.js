/*
 * One widget per form item, built from its definition (shared_schemas/forms/README.md):
 * yes_no, yes_no_na, rating, choice, text, date, number, people and photo. Each widget writes
 * its answer into `ctx.answers` and calls `ctx.changed()`; `refresh()` redraws what the current
 * answer requires, inline and as the person answers: a note, a photo, a follow-up action, or
 * the safeguarding concern box (one box, moved to the item that asks for it). Text boxes count
 * against the shared limits in `ctx.limits` and never cut what is typed (ui/counter.js).
 */
import { answerMaxLength, optionValues } from './check.js';
import { label } from '../labels.js';
import { limitedTextarea } from '../ui/counter.js';
import { h, uid } from '../ui/dom.js';

const OPTION_TYPES = ['yes_no', 'yes_no_na', 'rating', 'choice'];

function optionsOf(item) {
  if (item.options) return item.options;
  return optionValues(item).map((value) => ({ value, label: label('answer_options', value) }));
}

/** What the current answer requires: a subset of ['note', 'photo', 'action', 'concern']. */
export function requirementsFor(item, answer) {
  const value = answer ? answer.value : undefined;
  if (!OPTION_TYPES.includes(item.type) || typeof value !== 'string') return [];
  return ['note', 'photo', 'action', 'concern'].filter((kind) => (item.requires?.[kind] || []).includes(value));
}

function setValue(ctx, key, value) {
  const answer = ctx.answers[key] || {};
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) delete answer.value;
  else answer.value = value;
  if (answer.value === undefined && !answer.note) delete ctx.answers[key];
  else ctx.answers[key] = answer;
  ctx.changed();
}

function setNote(ctx, key, note) {
  const answer = ctx.answers[key] || {};
  if (note.trim()) answer.note = note;
  else delete answer.note;
  if (answer.value === undefined && !answer.note) delete ctx.answers[key];
  else ctx.answers[key] = answer;
  ctx.changed();
}

function optionControl(item, ctx) {
  const name = uid(item.key);
  const current = ctx.answers[item.key]?.value;
  const layout = item.type === 'choice' && optionsOf(item).length > 3 ? 'choices' : `choices ${item.type === 'choice' ? '' : 'row'}`;
  return h('div', { class: layout, role: 'radiogroup', 'aria-labelledby': `${item.key}-label` },
    optionsOf(item).map((option) => h('label', { class: 'choice' },
      h('input', {
        type: 'radio', name, value: option.value, checked: current === option.value,
        onchange: () => setValue(ctx, item.key, option.value),
      }),
      h('span', {}, option.label))));
}

function textControl(item, ctx, id) {
  const { area, counter } = limitedTextarea({
    id, rows: 4, 'aria-describedby': item.help ? `${item.key}-help` : null,
    oninput: (event) => setValue(ctx, item.key, event.target.value),
  }, ctx.answers[item.key]?.value || '', answerMaxLength(item, ctx.limits));
  return h('div', {}, area, counter);
}

function dateControl(item, ctx, id) {
  return h('input', {
    id, type: 'date', value: ctx.answers[item.key]?.value || '',
    onchange: (event) => setValue(ctx, item.key, event.target.value),
  });
}

function numberControl(item, ctx, id) {
  return h('input', {
    id, type: 'number', inputmode: 'decimal', min: item.min, max: item.max, step: 'any',
    value: ctx.answers[item.key]?.value ?? '',
    oninput: (event) => {
      const text = event.target.value;
      setValue(ctx, item.key, text === '' || Number.isNaN(Number(text)) ? undefined : Number(text));
    },
  });
}

function peopleControl(item, ctx) {
  const list = h('ol', { class: 'people' });
  const rows = (ctx.answers[item.key]?.value || []).map((person) => ({ ...person }));
  const save = () => setValue(ctx, item.key, rows.filter((p) => p.name.trim() || p.role.trim()));
  const draw = () => {
    list.replaceChildren(...rows.map((person, index) => {
      const nameId = uid('name');
      const roleId = uid('role');
      return h('li', { class: 'person' },
        h('label', { for: nameId }, `Person ${index + 1}: name`),
        h('input', { id: nameId, type: 'text', value: person.name, oninput: (e) => { person.name = e.target.value; save(); } }),
        h('label', { for: roleId }, 'Role'),
        h('input', { id: roleId, type: 'text', value: person.role, oninput: (e) => { person.role = e.target.value; save(); } }),
        h('button', { type: 'button', class: 'button small', onclick: () => { rows.splice(index, 1); save(); draw(); } }, `Remove person ${index + 1}`));
    }));
  };
  if (!rows.length) rows.push({ name: '', role: '' });
  draw();
  return h('div', {}, list, h('button', {
    type: 'button', class: 'button',
    onclick: () => { rows.push({ name: '', role: '' }); draw(); list.querySelector('li:last-child input')?.focus(); },
  }, '+ Add a person'));
}

/** Thumbnails with captions for one item's photos, and the camera button. */
export function photoBlock(item, ctx, needed) {
  const inputId = uid('camera');
  const photos = ctx.photos.filter((photo) => photo.item_key === item.key);
  return h('div', { class: `photos ${needed ? 'needed' : ''}` },
    needed ? h('p', { class: 'requirement' }, 'A photo is needed for this answer.') : null,
    photos.length ? h('ul', { class: 'thumbs' }, photos.map((photo, index) => {
      const captionId = uid('caption');
      return h('li', { class: 'thumb' },
        h('img', { src: ctx.thumbnail(photo), alt: photo.caption || `Photo ${index + 1}: ${item.label}`, width: 96, height: 96 }),
        h('div', { class: 'thumb-side' },
          h('label', { for: captionId }, 'Caption'),
          h('input', { id: captionId, type: 'text', value: photo.caption || '', maxlength: 500, oninput: (e) => ctx.captionPhoto(photo, e.target.value) }),
          h('button', { type: 'button', class: 'button small', onclick: () => ctx.removePhoto(photo) }, 'Remove photo')));
    })) : null,
    h('label', { class: 'button camera', for: inputId }, photos.length ? '+ Take another photo' : '+ Take a photo'),
    h('input', {
      id: inputId, type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', 'data-item': item.key,
      onchange: (event) => {
        const [file] = event.target.files;
        if (file) ctx.addPhoto(item.key, file);
        event.target.value = '';
      },
    }));
}

function noteBlock(item, ctx, needed) {
  const id = uid('note');
  const note = ctx.answers[item.key]?.note || '';
  const { area, counter } = limitedTextarea({ id, rows: 3, oninput: (e) => setNote(ctx, item.key, e.target.value) }, note, ctx.limits.note);
  if (!needed && !note) {
    const reveal = h('button', { type: 'button', class: 'button small quiet' }, '+ Add a note');
    const holder = h('div', {}, reveal);
    reveal.addEventListener('click', () => {
      holder.replaceChildren(h('label', { for: id }, 'Note'), area, counter);
      area.focus();
    });
    return holder;
  }
  return h('div', { class: needed ? 'needed' : '' },
    h('label', { for: id }, needed ? 'Note (needed for this answer)' : 'Note'), area, counter);
}

function actionEditor(action, ctx, removable = true) {
  const ids = { description: uid('act'), owner: uid('own'), due: uid('due') };
  const update = (field) => (event) => { action[field] = event.target.value; ctx.changed(); };
  const description = limitedTextarea({ id: ids.description, rows: 2, oninput: update('description') },
    action.description, ctx.limits.action_description);
  return h('li', { class: 'action' },
    h('label', { for: ids.description }, 'What needs to happen?'),
    description.area, description.counter,
    h('label', { for: ids.owner }, 'Who will do it?'),
    h('input', { id: ids.owner, type: 'text', value: action.owner_name, oninput: update('owner_name') }),
    h('label', { for: ids.due }, 'By when?'),
    h('input', { id: ids.due, type: 'date', value: action.due_on, onchange: update('due_on') }),
    removable ? h('button', { type: 'button', class: 'button small', onclick: () => ctx.removeAction(action) }, 'Remove this action') : null);
}

/** Follow-up actions linked to `itemKey` (null: actions about the visit as a whole). */
export function actionsBlock(itemKey, ctx, needed) {
  const actions = ctx.actions.filter((action) => (action.item_key || null) === itemKey);
  return h('div', { class: `actions ${needed ? 'needed' : ''}` },
    needed && !actions.length ? h('p', { class: 'requirement' }, 'A follow-up action is needed for this answer.') : null,
    actions.length ? h('ul', { class: 'action-list' }, actions.map((action) => actionEditor(action, ctx))) : null,
    h('button', { type: 'button', class: 'button', onclick: () => ctx.addAction(itemKey) }, '+ Add a follow-up action'));
}

/** The widget for one item. */
export function renderItem(item, ctx) {
  const controlId = uid(item.key);
  const labelId = `${item.key}-label`;
  const extras = h('div', { class: 'extras' });
  const errors = h('ul', { class: 'item-errors', id: `${item.key}-errors` });
  let control;
  if (OPTION_TYPES.includes(item.type)) control = optionControl(item, ctx);
  else if (item.type === 'text') control = textControl(item, ctx, controlId);
  else if (item.type === 'date') control = dateControl(item, ctx, controlId);
  else if (item.type === 'number') control = numberControl(item, ctx, controlId);
  else if (item.type === 'people') control = peopleControl(item, ctx);
  else control = null;

  const takesLabelFor = ['text', 'date', 'number'].includes(item.type);
  const title = takesLabelFor
    ? h('label', { id: labelId, for: controlId, class: 'item-label' }, item.label, item.required ? null : h('span', { class: 'muted' }, ' (optional)'))
    : h('p', { id: labelId, class: 'item-label' }, item.label, item.required ? null : h('span', { class: 'muted' }, ' (optional)'));
  const element = h('div', { class: 'item', id: `item-${item.key}`, dataset: { key: item.key } },
    title, item.help ? h('p', { class: 'help', id: `${item.key}-help` }, item.help) : null, control, extras, errors);

  element.refresh = () => {
    const needs = requirementsFor(item, ctx.answers[item.key]);
    const focused = extras.contains(document.activeElement) ? document.activeElement.id : null;
    extras.replaceChildren();
    if (item.type === 'photo') extras.append(photoBlock(item, ctx, item.required));
    if (OPTION_TYPES.includes(item.type)) {
      if (ctx.answers[item.key]?.value !== undefined || ctx.answers[item.key]?.note) extras.append(noteBlock(item, ctx, needs.includes('note')));
      const hasPhotos = ctx.photos.some((p) => p.item_key === item.key);
      if (needs.includes('photo') || hasPhotos) extras.append(photoBlock(item, ctx, needs.includes('photo')));
      const hasActions = ctx.actions.some((a) => a.item_key === item.key);
      if (needs.includes('action') || hasActions) extras.append(actionsBlock(item.key, ctx, needs.includes('action')));
      if (needs.includes('concern')) extras.append(ctx.concernBox);
    }
    if (focused) document.getElementById(focused)?.focus();
  };
  element.showErrors = (messages) => {
    errors.replaceChildren(...messages.map((message) => h('li', {}, message)));
    element.classList.toggle('has-errors', messages.length > 0);
  };
  return element;
}
