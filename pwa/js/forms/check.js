/*
 * Checks a visit's answers against its form definition (shared_schemas/forms/<form_id>/vN.json),
 * so the phone can say what is missing before the visit is sent, even offline.
 *
 * This is the JavaScript twin of check_answers() in server/services/forms.py: the server runs the
 * same rules again when the visit arrives. tests/forms runs both over the same fixtures and fails
 * if they disagree, so change them together. The error codes are listed in
 * shared_schemas/forms/README.md.
 *
 * A plain ES module with no imports, so it runs unchanged in the browser and under node. The
 * length limits are not written here: they live in shared_schemas/vocabulary.json ("limits"),
 * which the server reads too, and the caller passes them in.
 */

export const ERROR_CODES = Object.freeze([
  'required', 'unknown_item', 'hidden_item_answered', 'not_an_option', 'not_text', 'too_long',
  'not_a_date', 'not_a_number', 'out_of_range', 'not_people', 'note_required', 'photo_required',
  'action_required', 'concern_required', 'mode_not_allowed', 'not_an_object',
]);

const FIXED_OPTIONS = { yes_no: ['yes', 'no'], yes_no_na: ['yes', 'no', 'na'] };
const OPTION_TYPES = ['yes_no', 'yes_no_na', 'rating', 'choice'];

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
// JavaScript's \s spelled out, exactly as BLANK_PATTERN in forms.py.
const BLANK_PATTERN = /^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*$/;

/** The values an option-type item accepts (empty for other types). */
export function optionValues(item) {
  if (FIXED_OPTIONS[item.type]) return FIXED_OPTIONS[item.type];
  return (item.options || []).map((option) => option.value);
}

/** Every item of a form, in order, across its sections. */
export function formItems(form) {
  return form.sections.flatMap((section) => section.items);
}

/**
 * The keys of the items shown for these answers and this mode (a Set).
 * An item is shown when it has no show_if, or when the item it names is itself shown and was
 * answered with one of the listed values ("@mode": the visit's mode is one of them).
 */
export function visibleItemKeys(form, payload) {
  const mode = own(payload, 'mode');
  const answers = isObject(own(payload, 'answers')) ? payload.answers : {};
  const shown = new Set();
  for (const item of formItems(form)) {
    const showIf = item.show_if;
    if (showIf === undefined || showIf === null) {
      shown.add(item.key);
    } else if (showIf.item === '@mode') {
      if (typeof mode === 'string' && showIf.in.includes(mode)) shown.add(item.key);
    } else if (shown.has(showIf.item)) {
      const answer = own(answers, showIf.item);
      const value = isObject(answer) ? own(answer, 'value') : undefined;
      if (typeof value === 'string' && showIf.in.includes(value)) shown.add(item.key);
    }
  }
  return shown;
}

/** The most characters an item's text answer takes. */
export function answerMaxLength(item, limits) {
  return item.max_length ?? limits.answer;
}

/**
 * Check a visit payload against its form definition, with the limits from vocabulary.json.
 * Returns {item key | "@mode" | "@form": sorted list of error codes}; {} means valid.
 */
export function checkAnswers(form, payload, limits) {
  // Without the shared limits nothing over-long would be caught: refuse to guess.
  if (!isObject(limits) || !isNumber(limits.note)) throw new TypeError('checkAnswers needs the limits from vocabulary.json');
  // A null prototype, so an answer keyed "__proto__" or "constructor" is just another key.
  const errors = Object.create(null);
  const add = (key, code) => {
    if (!errors[key]) errors[key] = new Set();
    errors[key].add(code);
  };

  if (!isObject(payload)) return { '@form': ['not_an_object'] };
  checkEnvelope(form, payload, add);
  // The rest cannot be read reliably; say what is wrong with the shape first.
  if (Object.keys(errors).length) return sorted(errors);

  const { answers } = payload;
  const photos = links(own(payload, 'photos'));
  const actions = links(own(payload, 'actions'));
  const concern = own(payload, 'concern');
  const concernRaised = concern !== undefined && concern !== null; // the envelope check made sure it has text

  const mode = own(payload, 'mode');
  if (mode === undefined || mode === null || isBlank(mode)) add('@mode', 'required');
  else if (typeof mode !== 'string' || !form.modes.includes(mode)) add('@mode', 'mode_not_allowed');

  const items = new Map(formItems(form).map((item) => [item.key, item]));
  const shown = visibleItemKeys(form, payload);
  for (const key of Object.keys(answers)) {
    // Photo items take no answer: their evidence is the photos.
    if (!items.has(key) || items.get(key).type === 'photo') add(key, 'unknown_item');
  }

  for (const [key, item] of items) {
    const answered = hasOwn(answers, key);
    if (!shown.has(key)) {
      if (answered && item.type !== 'photo') add(key, 'hidden_item_answered');
      continue;
    }
    if (item.type === 'photo') {
      const count = photos.filter((linked) => linked === key).length;
      if (item.required && count < (item.min_photos ?? 1)) add(key, 'photo_required');
      continue;
    }
    if (!answered) {
      if (item.required) add(key, 'required');
      continue;
    }
    for (const code of checkAnswer(item, answers[key], { photos, actions, concernRaised, limits })) add(key, code);
  }

  // Photos and actions must point at an item the user could see.
  for (const key of [...photos, ...actions]) {
    if (!items.has(key)) add(key, 'unknown_item');
    else if (!shown.has(key)) add(key, 'hidden_item_answered');
  }
  return sorted(errors);
}

function checkEnvelope(form, payload, add) {
  const version = own(payload, 'form_version');
  if (own(payload, 'form_id') !== form.form_id || !isNumber(version) || version !== form.version) {
    add('@form', 'not_an_option');
  }
  if (!isObject(own(payload, 'answers'))) add('@form', 'not_an_object');
  for (const name of ['photos', 'actions']) {
    const list = own(payload, name);
    if (list === undefined || list === null) continue;
    const wellFormed = Array.isArray(list) && list.every((link) => {
      if (!isObject(link)) return false;
      const itemKey = own(link, 'item_key');
      return itemKey === undefined || itemKey === null || typeof itemKey === 'string';
    });
    if (!wellFormed) add('@form', 'not_an_object');
  }
  const concern = own(payload, 'concern');
  if (concern !== undefined && concern !== null && !(isObject(concern) && isFilled(own(concern, 'text')))) {
    add('@form', 'not_an_object');
  }
}

/** Error codes for one shown item's answer. */
function checkAnswer(item, answer, { photos, actions, concernRaised, limits }) {
  if (!isObject(answer) || !Object.keys(answer).every((name) => name === 'value' || name === 'note')) {
    return ['not_an_object'];
  }
  const note = own(answer, 'note');
  const hasNote = note !== undefined && note !== null;
  if (hasNote && typeof note !== 'string') return ['not_an_object'];

  const codes = [];
  if (hasNote && length(note) > limits.note) codes.push('too_long');
  const value = own(answer, 'value');
  if (value === undefined || value === null || isBlank(value)
      || (item.type === 'people' && Array.isArray(value) && value.length === 0)) {
    if (item.required) codes.push('required');
    return codes;
  }

  if (OPTION_TYPES.includes(item.type)) {
    if (typeof value !== 'string' || !optionValues(item).includes(value)) {
      codes.push('not_an_option');
      return codes;
    }
    const requires = item.requires || {};
    const needs = (kind) => (requires[kind] || []).includes(value);
    if (needs('note') && (!hasNote || isBlank(note))) codes.push('note_required');
    if (needs('photo') && !photos.includes(item.key)) codes.push('photo_required');
    if (needs('action') && !actions.includes(item.key)) codes.push('action_required');
    if (needs('concern') && !concernRaised) codes.push('concern_required');
  } else if (item.type === 'text') {
    if (typeof value !== 'string') codes.push('not_text');
    else if (length(value) > answerMaxLength(item, limits)) codes.push('too_long');
  } else if (item.type === 'date') {
    if (!isDate(value)) codes.push('not_a_date');
  } else if (item.type === 'number') {
    if (!isNumber(value)) codes.push('not_a_number');
    else if (value < (item.min ?? -Infinity) || value > (item.max ?? Infinity)) codes.push('out_of_range');
  } else if (item.type === 'people') {
    if (!isPeople(value, limits)) codes.push('not_people');
  }
  return codes;
}

// --- Small value tests, mirrored one for one in forms.py ---------------------------------------

function sorted(errors) {
  const result = {};
  for (const key of Object.keys(errors)) {
    Object.defineProperty(result, key, {
      value: [...errors[key]].sort(), enumerable: true, writable: true, configurable: true,
    });
  }
  return result;
}

/** The item keys that photos or actions point at (one entry per photo or action). */
function links(list) {
  if (!Array.isArray(list)) return [];
  return list.map((link) => own(link, 'item_key')).filter((key) => typeof key === 'string');
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasOwn(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** object[key] only if it is the object's own property, never something inherited. */
function own(object, key) {
  return hasOwn(object, key) ? object[key] : undefined;
}

function isBlank(value) {
  return typeof value === 'string' && BLANK_PATTERN.test(value);
}

function isFilled(value, maxLength = Infinity) {
  return typeof value === 'string' && !isBlank(value) && length(value) <= maxLength;
}

/** Length in Unicode code points, as Python's len() counts (and the phone's counters show). */
export function length(text) {
  let count = 0;
  // eslint-disable-next-line no-unused-vars
  for (const _ of text) count += 1;
  return count;
}

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function isDate(value) {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8));
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year, month) {
  if (month === 2) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isPeople(value, limits) {
  return Array.isArray(value) && value.length <= limits.people && value.every((person) => {
    if (!isObject(person)) return false;
    const names = Object.keys(person);
    return names.length === 2 && hasOwn(person, 'name') && hasOwn(person, 'role')
      && isFilled(person.name, limits.person_field) && isFilled(person.role, limits.person_field);
  });
}
