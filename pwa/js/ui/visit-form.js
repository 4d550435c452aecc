/*
 * The visit form screen, rendered from the form's definition. It edits the draft in place and
 * emits events; the controller saves and handles photos:
 *   app:draft-changed {visit}          after any change (the controller autosaves it)
 *   app:add-photo {visit, itemKey, file}   app:remove-photo {photo}   app:caption-photo {photo, caption}
 * Items appear and disappear with show_if as answers change; what an answer requires (note,
 * photo, action, concern) is shown inline at once. Every text box counts against the shared
 * `limits` (vocabulary.json) as the person types and keeps every character (ui/counter.js).
 */
import { visibleItemKeys, formItems } from '../forms/check.js';
import { actionsBlock, renderItem, requirementsFor } from '../forms/items.js';
import { limitedTextarea } from './counter.js';
import { checkMessage, formatDate, label } from '../labels.js';
import { emit, h, uid } from './dom.js';
import { newId } from '../outbox.js';

function concernEditor(visit, changed, limits) {
  const textId = uid('concern');
  const actionId = uid('immediate');
  const ensure = () => {
    if (!visit.concern) visit.concern = { uuid: newId(), text: '', immediate_action: '', raised_at: new Date().toISOString() };
    return visit.concern;
  };
  const text = limitedTextarea({ id: textId, rows: 5, oninput: (e) => { ensure().text = e.target.value; changed(); } },
    visit.concern?.text || '', limits.concern_text);
  const immediate = limitedTextarea({ id: actionId, rows: 3, oninput: (e) => { ensure().immediate_action = e.target.value; changed(); } },
    visit.concern?.immediate_action || '', limits.concern_immediate_action);
  return h('div', { class: 'concern-box', id: 'concern-box' },
    h('h3', {}, 'Safeguarding concern'),
    h('p', { class: 'help' }, 'Goes to the DSL as soon as the phone syncs. If a child is in danger now, call the DSL or 999 first.'),
    h('label', { for: textId }, 'What is the concern?'),
    text.area, text.counter,
    h('label', { for: actionId }, 'What did you do straight away?'),
    immediate.area, immediate.counter);
}

export function renderVisitForm({ visit, form, photos, thumbnail, subtitle, limits }) {
  const screen = h('section', { class: 'screen visit-form' });
  const saved = h('p', { class: 'saved muted', role: 'status', 'aria-live': 'polite' }, 'Saved on this phone');
  const widgets = new Map();
  const signatures = new Map();

  const ctx = {
    answers: visit.answers,
    actions: visit.actions,
    photos,
    thumbnail,
    limits,
    concernBox: null,
    changed: () => {
      emit(screen, 'draft-changed', { visit });
      refresh();
    },
    addPhoto: (itemKey, file) => emit(screen, 'add-photo', { visit, itemKey, file }),
    removePhoto: (photo) => emit(screen, 'remove-photo', { visit, photo }),
    captionPhoto: (photo, caption) => emit(screen, 'caption-photo', { visit, photo, caption }),
    addAction: (itemKey) => {
      visit.actions.push({ uuid: newId(), item_key: itemKey, description: '', owner_name: '', due_on: '' });
      ctx.changed();
      const list = itemKey ? widgets.get(itemKey) : otherActions;
      list?.querySelector('.action:last-of-type textarea')?.focus();
    },
    removeAction: (action) => {
      visit.actions.splice(visit.actions.indexOf(action), 1);
      ctx.changed();
    },
  };
  ctx.concernBox = concernEditor(visit, ctx.changed, limits);

  // At the end of the form the concern box waits behind a button, unless a concern is written.
  const concernHome = h('div', { class: 'card', id: 'concern-home' });
  const raiseConcern = h('button', {
    type: 'button', class: 'button danger wide',
    onclick: () => { concernOpened = true; refresh(); ctx.concernBox.querySelector('textarea').focus(); },
  }, 'Raise a safeguarding concern');
  let concernOpened = Boolean(visit.concern?.text || visit.concern?.immediate_action);
  const otherActions = h('div', { class: 'card' }, h('h2', {}, 'Other follow-up actions'),
    h('p', { class: 'help' }, 'Anything someone must do that is not about one question.'));
  const otherActionsBody = h('div');
  otherActions.append(otherActionsBody);

  /** Redraw only what changed: a note being typed keeps its caret. */
  function refresh(force = false) {
    const shown = visibleItemKeys(form, { mode: visit.mode, answers: visit.answers });
    for (const item of formItems(form)) {
      const widget = widgets.get(item.key);
      widget.hidden = !shown.has(item.key);
      const answer = visit.answers[item.key];
      const signature = JSON.stringify([requirementsFor(item, answer), answer?.value !== undefined || Boolean(answer?.note),
        photos.filter((p) => p.item_key === item.key).map((p) => p.id), visit.actions.filter((a) => a.item_key === item.key).length]);
      if (force || signatures.get(item.key) !== signature) {
        signatures.set(item.key, signature);
        widget.refresh();
      }
    }
    const unlinked = visit.actions.filter((a) => !a.item_key).length;
    if (force || signatures.get('@actions') !== unlinked) {
      signatures.set('@actions', unlinked);
      otherActionsBody.replaceChildren(actionsBlock(null, ctx, false));
    }
    // The concern box lives in the question that asks for it, else at the end of the form.
    const elsewhere = ctx.concernBox.parentElement !== null && !concernHome.contains(ctx.concernBox) && !ctx.concernBox.closest('[hidden]');
    if (elsewhere) {
      concernOpened = true;
      concernHome.replaceChildren();
    } else {
      concernHome.replaceChildren(concernOpened ? ctx.concernBox : raiseConcern);
    }
  }

  const sent = visit.review_status === 'sent_back' ? h('div', { class: 'notice bad', role: 'alert' },
    h('strong', {}, 'Sent back by the office'), h('p', {}, visit.review_comment || 'No comment given.'),
    h('p', {}, 'Correct the visit and complete it again: it is sent as a new version.')) : null;

  screen.append(...[
    h('a', { href: visit.placement_id ? `#/placement/${visit.placement_id}` : `#/provider/${visit.provider_id}`, class: 'back' }, '‹ Back (the draft is kept)'),
    h('h1', { tabindex: '-1', class: 'screen-title' }, form.title),
    h('p', { class: 'lead' }, subtitle),
    h('p', { class: 'muted' }, `${label('visit_modes', visit.mode)} · ${formatDate(visit.visit_date)}`),
    saved, sent].filter(Boolean));
  for (const section of form.sections) {
    const box = h('div', { class: 'card section' }, h('h2', {}, section.title));
    for (const item of section.items) {
      const widget = renderItem(item, ctx);
      widgets.set(item.key, widget);
      box.append(widget);
    }
    screen.append(box);
  }
  screen.append(otherActions, concernHome,
    h('div', { class: 'bottom-bar' }, h('a', { href: `#/visit/${visit.id}/review`, class: 'button primary wide' }, 'Review and complete')));
  refresh(true);

  screen.setSaved = (text) => { saved.textContent = text; };
  /** Show the review step's findings next to each question. */
  screen.showProblems = ({ errors, extra }) => {
    for (const [key, widget] of widgets) {
      widget.showErrors([...(errors[key] || []).map(checkMessage), ...(extra[key] || [])]);
    }
  };
  /** The photo list changed (added, removed): redraw the thumbnails. */
  screen.photosChanged = () => refresh();
  screen.focusItem = (key) => {
    const widget = key === '@concern' ? ctx.concernBox : (widgets.get(key) || otherActions);
    widget.scrollIntoView({ block: 'center' });
    (widget.querySelector('input, textarea, button, label.button') || widget).focus();
  };
  return screen;
}
