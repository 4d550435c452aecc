/*
 * Today: the drafts to carry on with, the person's pupils and placements with what is due or
 * overdue first, and the providers a pre-placement check can start from.
 */
import { formatDate, label } from '../labels.js';
import { h, heading } from './dom.js';
import { dueLines, flagChips, pupilName } from './placement.js';

function urgency(placement) {
  const due = placement.due || [];
  if (due.some((d) => d.overdue)) return 0;
  return due.length ? 1 : 2;
}

function firstDue(placement) {
  return (placement.due || []).map((d) => d.due_on).sort()[0] || '9999';
}

export function renderToday({ snapshot, drafts, attentionCount, userName }) {
  const pupils = new Map(snapshot.pupils.map((p) => [p.id, p]));
  const providers = new Map(snapshot.providers.map((p) => [p.id, p]));
  const placements = [...snapshot.placements].sort((a, b) => urgency(a) - urgency(b)
    || firstDue(a).localeCompare(firstDue(b))
    || pupilName(pupils.get(a.pupil_id)).localeCompare(pupilName(pupils.get(b.pupil_id))));

  const draftList = drafts.length ? h('section', { class: 'card', 'aria-labelledby': 'drafts-h' },
    h('h2', { id: 'drafts-h' }, 'Carry on'),
    h('ul', { class: 'link-list' }, drafts.map((draft) => h('li', {},
      h('a', { href: `#/visit/${draft.id}`, class: 'row-link' },
        h('strong', {}, draft.title || label('visit_kinds', draft.kind)),
        h('span', { class: 'muted' }, ` ${label('visit_kinds', draft.kind)} · ${formatDate(draft.visit_date)}`)))))) : null;

  const attention = attentionCount ? h('a', { href: '#/outbox', class: 'notice bad block-link' },
    h('strong', {}, `${attentionCount} ${attentionCount === 1 ? 'visit needs' : 'visits need'} your attention`), ' · Open the outbox') : null;

  const cards = placements.map((placement) => {
    const pupil = pupils.get(placement.pupil_id);
    const provider = providers.get(placement.provider_id);
    return h('li', {}, h('a', { href: `#/placement/${placement.id}`, class: 'card placement-card' },
      h('span', { class: 'card-title' }, pupilName(pupil)),
      h('span', { class: 'muted' }, `Year ${pupil?.year_group ?? '?'} · ${label('placement_kinds', placement.kind)}${provider ? ` · ${provider.name}` : ''}`),
      placement.status === 'planned' ? h('span', { class: 'muted' }, `Starts ${formatDate(placement.start_date)}`) : null,
      pupil ? flagChips(pupil) : null,
      dueLines(placement, 3)));
  });

  return h('section', { class: 'screen today' },
    heading(`Today, ${new Date().toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' })}`),
    h('p', { class: 'muted' }, `Signed in as ${userName}`),
    attention, draftList,
    h('h2', {}, 'Your pupils'),
    cards.length ? h('ul', { class: 'cards' }, cards) : h('p', { class: 'card' }, 'No placements are assigned to you yet.'),
    h('h2', {}, 'Providers'),
    h('p', { class: 'muted' }, 'A pre-placement check starts from the provider.'),
    h('ul', { class: 'link-list card' }, snapshot.providers.map((provider) => h('li', {},
      h('a', { href: `#/provider/${provider.id}`, class: 'row-link' }, h('strong', {}, provider.name),
        h('span', { class: 'muted' }, ` · ${label('registration_statuses', provider.registration_status)}`))))));
}
