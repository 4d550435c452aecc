/*
 * What stays on screen everywhere while signed in: the bottom navigation (Today, Outbox with
 * how many visits wait, Sign out), a small sync status, and the "Call DSL" button, a `tel:`
 * link that works offline.
 */
import { h } from './dom.js';

export function renderNav({ route, waiting, attention }) {
  const link = (href, text, name, badge) => h('a', { href, class: `nav-link ${route === name ? 'current' : ''}`, 'aria-current': route === name ? 'page' : null },
    text, badge ? h('span', { class: `badge ${attention ? 'bad' : ''}`, 'aria-label': `${badge} waiting` }, String(badge)) : null);
  return h('nav', { class: 'bottom-nav', 'aria-label': 'Main' },
    link('#/today', 'Today', 'today'),
    link('#/outbox', 'Outbox', 'outbox', waiting),
    link('#/signout', 'Sign out', 'signout'));
}

export function renderSyncStatus({ online, running, waiting }) {
  let text = 'All sent';
  if (running) text = 'Sending…';
  else if (waiting) text = `${waiting} to send`;
  return h('span', { class: `sync-pill ${online ? '' : 'offline'}` }, online ? text : `Offline · ${text}`);
}

export function renderDslButton(dsl) {
  if (!dsl) return null;
  return h('a', { class: 'dsl-button', href: `tel:${dsl.phone.replace(/[^\d+]/g, '')}`, 'aria-label': `Call the DSL, ${dsl.name}, on ${dsl.phone}` },
    h('span', { class: 'dsl-icon', 'aria-hidden': 'true' }, '☎'),
    h('span', {}, h('strong', {}, 'Call DSL'), h('span', { class: 'dsl-name' }, ` ${dsl.name}`)));
}
