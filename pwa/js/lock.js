/*
 * Sealing records with a person's offline key (AES-GCM, WebCrypto), and keeping that key on the
 * phone only wrapped by their PIN. Pure functions; db.js does the storing.
 *
 * The server gives each person a 256-bit offline key at sign-in. The phone imports it as a
 * non-extractable CryptoKey (script can use it but never read it back) that lives only in the
 * page's memory. Every record about a pupil is sealed with it before IndexedDB sees it. To
 * open the app again without signal, the key is kept on disk wrapped (AES-GCM) by a key
 * derived from the person's PIN with PBKDF2-SHA-256; a wrong PIN fails the AES-GCM tag.
 */

const ALGORITHM = 'AES-GCM';
// OWASP's figure for PBKDF2-HMAC-SHA-256 (2023): about half a second on a mid-range phone.
export const PIN_ITERATIONS = 600_000;
export const PIN_MIN_LENGTH = 6;

function rawKey(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/i.test(hex)) throw new Error('offline key is not 64 hex digits');
  return new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
}

export function importOfflineKey(hex) {
  return crypto.subtle.importKey('raw', rawKey(hex), { name: ALGORITHM }, false, ['encrypt', 'decrypt']);
}

/** A PIN is digits only, at least PIN_MIN_LENGTH of them; '' when it is acceptable. */
export function pinProblem(pin) {
  if (!/^[0-9]+$/.test(pin || '')) return 'Use digits only.';
  if (pin.length < PIN_MIN_LENGTH) return `Use at least ${PIN_MIN_LENGTH} digits.`;
  if (/^(\d)\1+$/.test(pin) || '01234567890123456789'.includes(pin) || '98765432109876543210'.includes(pin)) {
    return 'That PIN is too easy to guess. Avoid repeated or consecutive digits.';
  }
  return '';
}

async function pinKey(pin, salt, iterations) {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material,
    { name: ALGORITHM, length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

/**
 * The offline key wrapped by `pin`, for the `keys` store. The extractable copy made here exists
 * only for the wrapKey call; what the app uses is the non-extractable import.
 */
export async function wrapOfflineKey(hex, pin, owner) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapping = await pinKey(pin, salt, PIN_ITERATIONS);
  const extractable = await crypto.subtle.importKey('raw', rawKey(hex), { name: ALGORITHM }, true, ['encrypt']);
  const wrapped = await crypto.subtle.wrapKey('raw', extractable, wrapping,
    { name: ALGORITHM, iv, additionalData: new TextEncoder().encode(`pin|${owner}`) });
  return { salt: salt.buffer, iv: iv.buffer, wrapped, iterations: PIN_ITERATIONS, kdf: 'PBKDF2-SHA-256' };
}

/** The non-extractable offline key from a wrapped one; rejects when the PIN is wrong. */
export async function unwrapOfflineKey(row, pin) {
  const wrapping = await pinKey(pin, new Uint8Array(row.salt), row.iterations);
  return crypto.subtle.unwrapKey('raw', row.wrapped, wrapping,
    { name: ALGORITHM, iv: new Uint8Array(row.iv), additionalData: new TextEncoder().encode(`pin|${row.owner}`) },
    { name: ALGORITHM }, false, ['encrypt', 'decrypt']);
}

async function seal(key, bytes, aad) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: ALGORITHM, iv, additionalData: aad }, key, bytes);
  return { iv: iv.buffer, data };
}

function unseal(key, box, aad) {
  return crypto.subtle.decrypt({ name: ALGORITHM, iv: new Uint8Array(box.iv), additionalData: aad }, key, box.data);
}

/**
 * A sealed row for store `kind` ('visits', 'photos', 'snapshot'): the record's ArrayBuffer
 * fields are sealed one by one (photo bytes need no JSON round trip), the rest as JSON. The
 * owner and row id are bound in as additional data, so a sealed record cannot be passed off as
 * another. The same row is what the `locked` store keeps after sign-out.
 */
export async function lockRecord(key, owner, kind, record, id = record.id) {
  const rowId = `${kind}:${id}`;
  const aad = new TextEncoder().encode(`${owner}|${rowId}`);
  const plain = {};
  const pending = [];
  const buffers = {};
  for (const [name, value] of Object.entries(record)) {
    if (value instanceof ArrayBuffer) pending.push(seal(key, value, aad).then((box) => { buffers[name] = box; }));
    else plain[name] = value;
  }
  pending.push(seal(key, new TextEncoder().encode(JSON.stringify(plain)), aad));
  const sealed = await Promise.all(pending);
  return { id: rowId, owner, kind, json: sealed[sealed.length - 1], buffers, locked_at: new Date().toISOString() };
}

/** The record a sealed row was made from. Throws if the key is not the one that sealed it. */
export async function unlockRecord(key, row) {
  const aad = new TextEncoder().encode(`${row.owner}|${row.id}`);
  const names = Object.keys(row.buffers);
  const [json, ...buffers] = await Promise.all([unseal(key, row.json, aad), ...names.map((name) => unseal(key, row.buffers[name], aad))]);
  const record = JSON.parse(new TextDecoder().decode(json));
  names.forEach((name, index) => { record[name] = buffers[index]; });
  return record;
}
