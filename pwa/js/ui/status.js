/*
 * What stays on screen everywhere while signed in: the bottom navigation (Today, Outbox with
 * how many visits wait, Call DSL, Sign out) and a small sync status. "Call DSL" is a `tel:`
 * link to the school's DSL from the downloaded contacts, so it works offline too.
 */
import { h } from './dom.js';

export function renderNav({ route, waiting, attention, dsl }) {
  const link = (href, text, name, badge) => h('a', { href, class: `nav-link ${route === name ? 'current' : ''}`, 'aria-current': route === name ? 'page' : null },
    text, badge ? h('span', { class: `badge ${attention ? 'bad' : ''}`, 'aria-label': `${badge} waiting` }, String(badge)) : null);
  return h('nav', { class: 'bottom-nav', 'aria-label': 'Main' },
    link('#/today', 'Today', 'today'),
    link('#/outbox', 'Outbox', 'outbox', waiting),
    renderDslButton(dsl),
    link('#/signout', 'Sign out', 'signout'));
}

export function renderSyncStatus({ online, running, waiting, attention }) {
  let text = 'All sent';
  if (running) text = 'Sending…';
  else if (waiting) text = `${waiting} to send`;
  else if (attention) text = `${attention} ${attention === 1 ? 'needs' : 'need'} attention`;
  return h('span', { class: `sync-pill ${online ? '' : 'offline'}` }, online ? text : `Offline · ${text}`);
}

export function renderDslButton(dsl) {
  if (!dsl) return null;
  return h('a', { class: 'dsl-button', href: `tel:${dsl.phone.replace(/[^\d+]/g, '')}`, 'aria-label': `Call DSL, ${dsl.name}, on ${dsl.phone}` },
    h('span', { class: 'dsl-icon', 'aria-hidden': 'true' }, '☎'), h('span', {}, 'Call DSL'));
}
