/*
 * Building elements safely: `h()` sets text with textContent and attributes one by one, so a
 * pupil's name can never become markup. `emit()` is how widgets tell the controller something
 * happened: a bubbling CustomEvent named 'app:<what>'.
 */

// What is typed into the app is about pupils: the browser's form autofill must not keep it,
// so every box has autofill off unless it asks for it by name (the sign-in form does).
const TYPED = new Set(['input', 'textarea']);

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  if (TYPED.has(tag) && !('autocomplete' in attributes)) element.setAttribute('autocomplete', 'off');
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function emit(from, what, detail = {}) {
  from.dispatchEvent(new CustomEvent(`app:${what}`, { bubbles: true, detail }));
}

/** Replace a container's content. */
export function show(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** A screen's heading, focused so screen readers announce the new screen. */
export function heading(text, level = 1) {
  return h(`h${level}`, { tabindex: '-1', class: 'screen-title' }, text);
}

let counter = 0;
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}
