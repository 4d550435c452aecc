/*
 * A text box with a limit, and its live counter ("4,123 of 4,000 characters — 123 too many").
 * Nothing typed or pasted is ever cut off: the box has no maxlength, so the draft keeps every
 * character and the person shortens it themselves. While over, the box is marked invalid and a
 * polite live region says so (the visible count is not live: a screen reader would read it at
 * every keystroke). The review step refuses to complete a visit while any box is over, with the
 * same limits the server refuses (shared_schemas/vocabulary.json "limits").
 */
import { length } from '../forms/check.js';
import { h, uid } from './dom.js';

const number = new Intl.NumberFormat('en-GB');

/** "123 of 4,000 characters", with how many too many when over. */
export function counterText(count, max) {
  const text = `${number.format(count)} of ${number.format(max)} characters`;
  return count > max ? `${text} — ${number.format(count - max)} too many` : text;
}

/** Is this text over the limit (counted in code points, as both checkers count)? */
export function isOver(text, max) {
  return typeof text === 'string' && length(text) > max;
}

/**
 * A textarea (attributes as for h()) holding `value`, with its counter against `max`.
 * Returns {area, counter}: the caller places both (a note shows them only once revealed).
 */
export function limitedTextarea(attributes, value, max) {
  const countId = uid('count');
  const count = h('span', { id: countId });
  const spoken = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const counter = h('p', { class: 'counter' }, count, spoken);
  const described = [attributes['aria-describedby'], countId].filter(Boolean).join(' ');
  const area = h('textarea', { ...attributes, 'aria-describedby': described }, value);
  let wasOver = false;
  const update = () => {
    const characters = length(area.value);
    const over = characters > max;
    count.textContent = counterText(characters, max);
    counter.classList.toggle('over', over);
    if (over) area.setAttribute('aria-invalid', 'true');
    else area.removeAttribute('aria-invalid');
    // Spoken only while over, and once when back within the limit.
    if (over) spoken.textContent = counterText(characters, max);
    else if (wasOver) spoken.textContent = `Within the limit of ${number.format(max)} characters.`;
    wasOver = over;
  };
  area.addEventListener('input', update);
  update();
  return { area, counter };
}
