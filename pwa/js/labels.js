/*
 * Words people read: labels for the shared codes (shared_schemas/vocabulary.json, loaded once
 * at start), what each answer-check error means, and what each outbox state means. The same file
 * carries the text limits the phone counts against (`limits()`), as the server does.
 */

let vocabulary = {};

export function setVocabulary(value) {
  vocabulary = value || {};
}

/** The most characters each text box of a visit takes (vocabulary.json "limits"). */
export function limits() {
  return vocabulary.limits;
}

/** The label of `code` in vocabulary `name`, or the code made readable. */
export function label(name, code) {
  const table = vocabulary[name] || {};
  return table[code] || String(code ?? '').replace(/_/g, ' ');
}

// What checkAnswers() error codes mean, said to the person filling in the form.
export const CHECK_MESSAGES = {
  required: 'Answer this question.',
  unknown_item: 'This is not a question on the form.',
  hidden_item_answered: 'A photo or action is linked to a question that is now hidden. Remove it, or change the answer that hid the question.',
  not_an_option: 'Choose one of the answers.',
  not_text: 'Write your answer as text.',
  too_long: 'This is too long. Shorten it.',
  not_a_date: 'Enter a date.',
  not_a_number: 'Enter a number.',
  out_of_range: 'This number is outside the allowed range.',
  not_people: 'Give a name and a role for each person.',
  note_required: 'Add a note: this answer needs one.',
  photo_required: 'Take a photo: this answer needs one.',
  action_required: 'Add a follow-up action: this answer needs one.',
  concern_required: 'Write the safeguarding concern: this answer needs one.',
  mode_not_allowed: 'This form cannot be used for this kind of visit.',
  not_an_object: 'This answer is damaged. Answer it again.',
};

export function checkMessage(code) {
  return CHECK_MESSAGES[code] || `Check this answer (${code}).`;
}

// Outbox states, as the person sees them.
export const STATES = {
  draft: { label: 'Draft', tone: 'neutral', help: 'Not finished. Only on this phone.' },
  ready: { label: 'Ready to send', tone: 'wait', help: 'Finished and waiting for a connection.' },
  sending: { label: 'Sending…', tone: 'wait', help: 'Being sent now.' },
  incomplete: { label: 'On server (incomplete)', tone: 'wait', help: 'The school has the visit; some photos are still to send.' },
  complete: { label: 'On server (complete)', tone: 'good', help: 'The school has the whole visit and every photo.' },
  attention: { label: 'Needs attention', tone: 'bad', help: 'The server did not accept it. It is still on this phone.' },
  conflict: { label: 'Needs attention', tone: 'bad', help: 'The server holds a different version of this visit.' },
};

export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

export function formatDateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}
