/*
 * Hash routes, so every screen has an address that survives a reload or an app update:
 *   #/today  #/placement/<id>  #/provider/<id>  #/start/<placement id>  #/visit/<id>
 *   #/visit/<id>/review  #/outbox  #/signin  #/signout  #/signedout
 */

const ROUTES = [
  ['today', /^#\/today$/],
  ['placement', /^#\/placement\/([\w-]+)$/],
  ['provider', /^#\/provider\/([\w-]+)$/],
  ['start', /^#\/start\/([\w-]+)$/],
  ['review', /^#\/visit\/([\w-]+)\/review$/],
  ['visit', /^#\/visit\/([\w-]+)$/],
  ['outbox', /^#\/outbox$/],
  ['signin', /^#\/signin$/],
  ['signout', /^#\/signout$/],
  ['signedout', /^#\/signedout$/],
];

export function current() {
  const hash = window.location.hash || '#/today';
  for (const [name, pattern] of ROUTES) {
    const match = hash.match(pattern);
    if (match) return { name, id: match[1] || null };
  }
  return { name: 'today', id: null };
}

export function go(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = hash;
}

export function onChange(handler) {
  window.addEventListener('hashchange', () => handler(current()));
}
