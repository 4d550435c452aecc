/*
 * A placement: its pupil, provider and the facts that change who must be involved (EHCP,
 * looked after, social worker), what is due, and the visits that can start from it. Also the
 * small pieces the today list reuses: flag chips and due lines.
 */
import { formatDate, label } from '../labels.js';
import { h, heading } from './dom.js';

const FLAGS = [
  ['ehcp', 'EHCP', 'flag-strong'],
  ['looked_after', 'Looked after', 'flag-strong'],
  ['has_social_worker', 'Social worker', 'flag-strong'],
  ['send_support', 'SEND support', ''],
  ['fsm_eligible', 'FSM', ''],
];

export function flagChips(pupil) {
  const chips = FLAGS.filter(([field]) => pupil[field]).map(([, text, tone]) => h('li', { class: `chip ${tone}` }, text));
  return chips.length ? h('ul', { class: 'chips', 'aria-label': 'Flags' }, chips) : null;
}

/** What is due on a placement, overdue first; `limit` keeps the today list short. */
export function dueLines(placement, limit = Infinity) {
  const due = [...(placement.due || [])].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.due_on.localeCompare(b.due_on));
  if (!due.length) return null;
  const shown = due.slice(0, limit);
  return h('ul', { class: 'due' }, shown.map((item) => h('li', { class: item.overdue ? 'overdue' : 'upcoming' },
    h('strong', {}, item.overdue ? 'Overdue' : 'Due'), ` ${item.label || label('visit_kinds', item.kind)} · ${formatDate(item.due_on)}`)),
  due.length > shown.length ? h('li', { class: 'more muted' }, `and ${due.length - shown.length} more`) : null);
}

export function pupilName(pupil) {
  return pupil ? `${pupil.first_name} ${pupil.last_name}` : 'Unknown pupil';
}

function fact(term, value) {
  if (value === null || value === undefined || value === '') return null;
  return [h('dt', {}, term), h('dd', {}, value)];
}

function phoneLink(name, phone) {
  return phone ? h('a', { class: 'phone-link', href: `tel:${phone.replace(/\s+/g, '')}` }, `${name}: ${phone}`) : null;
}

export function renderPlacement({ placement, pupil, provider, drafts }) {
  const startHref = `#/start/${placement.id}`;
  return h('section', { class: 'screen placement' },
    h('a', { href: '#/today', class: 'back' }, '‹ Today'),
    heading(pupilName(pupil)),
    h('p', { class: 'lead' }, `Year ${pupil.year_group} · ${label('placement_kinds', placement.kind)}`),
    flagChips(pupil),
    dueLines(placement),
    drafts.length ? h('div', { class: 'card' }, h('h2', {}, 'Drafts for this placement'),
      h('ul', { class: 'link-list' }, drafts.map((d) => h('li', {}, h('a', { href: `#/visit/${d.id}`, class: 'row-link' },
        `${label('visit_kinds', d.kind)} · started ${formatDate(d.started_at)}`))))) : null,
    h('a', { href: startHref, class: 'button primary wide' }, 'Start a visit'),
    h('div', { class: 'card' },
      h('h2', {}, 'Key facts'),
      h('dl', { class: 'facts' },
        fact('Provider', provider ? provider.name : 'None (school-based)'),
        fact('Registration', provider ? label('registration_statuses', provider.registration_status) : null),
        fact('Started', formatDate(placement.start_date)),
        fact('Sessions', (placement.sessions || []).map((s) => label('sessions', s)).join(', ')),
        fact('Aims', placement.aims),
        fact('Safeguarding', placement.safeguarding_arrangements),
        fact('Pastoral', placement.pastoral_arrangements),
        fact('Attendance', placement.attendance_arrangements),
        fact('Reviews', placement.review_arrangements),
        fact('QA visits', placement.qa_visit_every_weeks ? `Every ${placement.qa_visit_every_weeks} weeks` : null))),
    h('div', { class: 'card' },
      h('h2', {}, 'Contacts'),
      h('p', { class: 'stack' },
        phoneLink(pupil.parent_contact_name || 'Parent or carer', pupil.parent_contact_phone),
        phoneLink(`Social worker ${pupil.social_worker_name || ''}`.trim(), pupil.social_worker_phone),
        provider ? phoneLink(provider.contact_name ? `${provider.name} (${provider.contact_name})` : provider.name, provider.contact_phone) : null)),
    provider ? h('a', { href: `#/provider/${provider.id}`, class: 'button wide' }, `About ${provider.name}`) : null);
}
