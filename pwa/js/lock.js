/*
 * Locks and unlocks one person's records with their offline key (AES-GCM, WebCrypto).
 *
 * The server gives each person a 256-bit key at sign-in. The phone imports it as a
 * non-extractable CryptoKey (script can use it but never read it back) and keeps it in
 * IndexedDB while they are signed in. Signing out encrypts their unsent visits and photos and
 * deletes the key: what remains on the phone is unreadable until the same person signs in
 * again and the server hands the key back. Pure functions; db.js does the storing.
 */

const ALGORITHM = 'AES-GCM';

export function importOfflineKey(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/i.test(hex)) throw new Error('offline key is not 64 hex digits');
  const raw = new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
  return crypto.subtle.importKey('raw', raw, { name: ALGORITHM }, false, ['encrypt', 'decrypt']);
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
 * A locked row for store `kind` ('visits' or 'photos'): the record's ArrayBuffer fields are
 * sealed one by one, the rest as JSON. The row id and owner are bound in as additional data,
 * so a sealed record cannot be passed off as another.
 */
export async function lockRecord(key, owner, kind, record) {
  const id = `${kind}:${record.id}`;
  const aad = new TextEncoder().encode(`${owner}|${id}`);
  const plain = {};
  const buffers = {};
  for (const [name, value] of Object.entries(record)) {
    if (value instanceof ArrayBuffer) buffers[name] = await seal(key, value, aad);
    else plain[name] = value;
  }
  const json = await seal(key, new TextEncoder().encode(JSON.stringify(plain)), aad);
  return { id, owner, kind, json, buffers, locked_at: new Date().toISOString() };
}

/** The record a locked row was made from. Throws if the key is not the one that locked it. */
export async function unlockRecord(key, row) {
  const aad = new TextEncoder().encode(`${row.owner}|${row.id}`);
  const record = JSON.parse(new TextDecoder().decode(await unseal(key, row.json, aad)));
  for (const [name, box] of Object.entries(row.buffers)) record[name] = await unseal(key, box, aad);
  return record;
}
