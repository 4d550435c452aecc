/*
 * The only module that touches IndexedDB. Everything the phone keeps lives here: the signed-in
 * session, the bootstrap snapshot, visits (drafts to confirmed), photo bytes, locked records of
 * signed-out people and the signed-in person's PIN-wrapped key.
 *
 * Nothing about a pupil reaches IndexedDB readable. The snapshot, visits and photos are sealed
 * (lock.js) with the signed-in person's offline key, which this module holds in memory only
 * (`useKey`, `forgetKey`): every write seals before its transaction opens and every read
 * opens the rows after it commits (a transaction must not wait on WebCrypto). Without the key
 * in memory, reading a sealed row throws `PhoneLocked`. Only ids, owners and the visit a photo
 * belongs to stay readable, for the indexes; `meta` holds no pupil data.
 *
 * One upgrade ladder (UPGRADES): step N turns a version N database into version N+1, so a
 * phone that skipped releases climbs every step in order. iOS drops IndexedDB connections when
 * an app sits in the background; every call reopens and retries once when that happens.
 * Photo bytes are ArrayBuffers, never Blobs (WebKit has lost Blobs in IndexedDB before).
 */

import { lockRecord, unlockRecord } from './lock.js';

const DB_NAME = 'ap-visits';

const UPGRADES = [
  // 0 → 1: the first schema.
  (db) => {
    db.createObjectStore('meta');                                   // small named values
    db.createObjectStore('snapshot');                               // 'current' → bootstrap
    db.createObjectStore('keys', { keyPath: 'owner' });             // owner → offline key wrapped by their PIN
    const visits = db.createObjectStore('visits', { keyPath: 'id' });
    visits.createIndex('by_owner', 'owner');
    const photos = db.createObjectStore('photos', { keyPath: 'id' });
    photos.createIndex('by_visit', 'visit_id');
    const locked = db.createObjectStore('locked', { keyPath: 'id' }); // encrypted visits and photos
    locked.createIndex('by_owner', 'owner');
  },
];

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, UPGRADES.length);
      request.onupgradeneeded = (event) => {
        for (let step = event.oldVersion; step < UPGRADES.length; step += 1) {
          UPGRADES[step](request.result, request.transaction);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading, or the system closing us: forget this connection.
        db.onversionchange = () => { db.close(); opening = null; };
        db.onclose = () => { opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => { opening = null; reject(new Error('database upgrade blocked by another tab')); };
    });
  }
  return opening;
}

/** Run `work(stores)` in one transaction over `names`; resolves with its result once committed. */
async function transact(names, mode, work) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const db = await open();
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(names, mode);
        const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
        let result;
        Promise.resolve(work(stores)).then((value) => { result = value; }, (error) => {
          reject(error);
          try { tx.abort(); } catch { /* already finished */ }
        });
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
      });
    } catch (error) {
      // iOS closes connections behind our back: the next attempt opens a fresh one.
      if (attempt === 0 && (error.name === 'InvalidStateError' || error.name === 'UnknownError')) {
        opening = null;
        continue;
      }
      throw error;
    }
  }
}

/** An IDBRequest as a promise (only awaited inside a transaction's work function). */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// --- the key in memory ------------------------------------------------------------------------

/** Reading a sealed record while no key is in memory (the app waits for the PIN). */
export class PhoneLocked extends Error {
  constructor() {
    super('this phone is locked: enter the PIN or sign in');
    this.name = 'PhoneLocked';
  }
}

let unlocked = null;   // { owner, key }: the signed-in person's non-extractable offline key

export function useKey(owner, key) {
  unlocked = { owner, key };
}

export function forgetKey() {
  unlocked = null;
}

export function isUnlocked(owner) {
  return Boolean(unlocked && (owner === undefined || unlocked.owner === owner));
}

function theKey() {
  if (!unlocked) throw new PhoneLocked();
  return unlocked;
}

async function sealVisit(visit) {
  const { owner, key } = theKey();
  return { id: visit.id, owner: visit.owner, sealed: await lockRecord(key, owner, 'visits', visit) };
}

async function sealPhoto(photo) {
  const { owner, key } = theKey();
  return { id: photo.id, visit_id: photo.visit_id, owner, sealed: await lockRecord(key, owner, 'photos', photo) };
}

/** The record in a stored row. A row without `sealed` was written by an older version of the
 * app and is still readable: `sealLegacy()` seals those as soon as a key is in memory. */
async function open1(row) {
  if (!row || !row.sealed) return row;
  return unlockRecord(theKey().key, row.sealed);
}

function openAll(rows) {
  return Promise.all(rows.map(open1));
}

// --- meta: small named values (no pupil data) -------------------------------------------------

export function getMeta(name) {
  return transact(['meta'], 'readonly', ({ meta }) => done(meta.get(name)));
}

export function setMeta(name, value) {
  return transact(['meta'], 'readwrite', ({ meta }) => done(meta.put(value, name)));
}

export function deleteMeta(name) {
  return transact(['meta'], 'readwrite', ({ meta }) => done(meta.delete(name)));
}

// --- the bootstrap snapshot ----------------------------------------------------------------

export async function getSnapshot() {
  const row = await transact(['snapshot'], 'readonly', ({ snapshot }) => done(snapshot.get('current')));
  if (!row || !row.sealed) return row;
  if (row.owner !== theKey().owner) return undefined;   // another person's: never theirs to read
  return unlockRecord(theKey().key, row.sealed);
}

export async function putSnapshot(value) {
  const { owner, key } = theKey();
  const row = { owner, sealed: await lockRecord(key, owner, 'snapshot', value, 'current') };
  return transact(['snapshot'], 'readwrite', ({ snapshot }) => done(snapshot.put(row, 'current')));
}

// --- the PIN-wrapped key ----------------------------------------------------------------------

/** `{owner, wrapped, salt, iv, iterations, failures}` (lock.wrapOfflineKey), or undefined. */
export function getKeyRow(owner) {
  return transact(['keys'], 'readonly', ({ keys }) => done(keys.get(owner)));
}

export function putKeyRow(row) {
  return transact(['keys'], 'readwrite', ({ keys }) => done(keys.put(row)));
}

export function deleteKeyRow(owner) {
  return transact(['keys'], 'readwrite', ({ keys }) => done(keys.delete(owner)));
}

/**
 * Count a PIN try before it is made (a try cut short by closing the app still counts), in one
 * transaction so two tabs cannot both spend the last one. The row after counting, or undefined.
 */
export function countPinTry(owner) {
  return transact(['keys'], 'readwrite', async ({ keys }) => {
    const row = await done(keys.get(owner));
    if (!row || !row.wrapped) return undefined;
    row.failures = (row.failures || 0) + 1;
    await done(keys.put(row));
    return row;
  });
}

export function resetPinTries(owner) {
  return transact(['keys'], 'readwrite', async ({ keys }) => {
    const row = await done(keys.get(owner));
    if (row) await done(keys.put({ ...row, failures: 0 }));
  });
}

// --- visits and photos ---------------------------------------------------------------------

/** The record under `id` in the sealed store `name` (visits or photos), opened. */
async function getOpened(name, id) {
  return open1(await transact([name], 'readonly', (stores) => done(stores[name].get(id))));
}

/** The records of the sealed store `name` whose `index` holds `key`, opened. */
async function allOpened(name, index, key) {
  return openAll(await transact([name], 'readonly', (stores) => done(stores[name].index(index).getAll(key))));
}

/** Write a row already sealed: sealing waits on WebCrypto, so it is done before the transaction. */
function putSealed(name, row) {
  return transact([name], 'readwrite', (stores) => done(stores[name].put(row)));
}

export function getVisit(id) {
  return getOpened('visits', id);
}

export function visitsOf(owner) {
  return allOpened('visits', 'by_owner', owner);
}

export async function putVisit(visit) {
  return putSealed('visits', await sealVisit(visit));
}

/** Save a visit and its photo records together: a completed visit is written in one transaction. */
export async function putVisitWithPhotos(visit, photoRecords) {
  const row = await sealVisit(visit);
  const photoRows = await Promise.all(photoRecords.map(sealPhoto));
  return transact(['visits', 'photos'], 'readwrite', async ({ visits, photos }) => {
    await done(visits.put(row));
    for (const photo of photoRows) await done(photos.put(photo));
  });
}

export function getPhoto(id) {
  return getOpened('photos', id);
}

export function photosOf(visitId) {
  return allOpened('photos', 'by_visit', visitId);
}

export async function putPhoto(photo) {
  return putSealed('photos', await sealPhoto(photo));
}

export function deletePhoto(id) {
  return transact(['photos'], 'readwrite', ({ photos }) => done(photos.delete(id)));
}

/** Remove a visit and its photos from the phone (after the server confirmed them, or a recorded discard). */
export function deleteVisit(id) {
  return transact(['visits', 'photos'], 'readwrite', async ({ visits, photos }) => {
    const keys = await done(photos.index('by_visit').getAllKeys(id));
    for (const key of keys) await done(photos.delete(key));
    await done(visits.delete(id));
  });
}

/** Seal whatever an older version of the app left readable (the key in memory is `owner`'s). */
export async function sealLegacy(owner) {
  const { visits, photos, snapshot } = await transact(['visits', 'photos', 'snapshot'], 'readonly', async (stores) => ({
    visits: (await done(stores.visits.index('by_owner').getAll(owner))).filter((row) => !row.sealed),
    photos: (await done(stores.photos.getAll())).filter((row) => !row.sealed && row.owner === owner),
    snapshot: await done(stores.snapshot.get('current')),
  }));
  for (const visit of visits) await putVisit(visit);
  for (const photo of photos) await putPhoto(photo);
  if (snapshot && !snapshot.sealed) {
    if (snapshot.owner === owner) await putSnapshot(snapshot);
    else await transact(['snapshot'], 'readwrite', (stores) => done(stores.snapshot.clear()));
  }
  return visits.length + photos.length;
}

// --- signing out: swap readable records for locked ones, in one transaction ------------------

/** Everything of `owner`'s: their visits and those visits' photos, opened with the key in memory. */
export async function readableOf(owner) {
  const visitRows = await transact(['visits'], 'readonly', ({ visits }) => done(visits.index('by_owner').getAll(owner)));
  const own = await openAll(visitRows);
  const photoRows = [];
  for (const visit of own) photoRows.push(...await photosOf(visit.id));
  return { visits: own, photos: photoRows };
}

/**
 * Move `owner`'s sealed visits in `keepIds` (all of them when null) and their photos into
 * `locked` as they are, delete the rest of their visits and photos, and forget the snapshot,
 * the session and the wrapped key. No key is needed: the rows are sealed already. One
 * transaction: the phone never holds a half-locked account.
 */
export function lockAccount(owner, keepIds = null) {
  if (unlocked && unlocked.owner === owner) forgetKey();
  const names = ['visits', 'photos', 'locked', 'snapshot', 'keys', 'meta'];
  return transact(names, 'readwrite', async ({ visits, photos, locked, snapshot, keys, meta }) => {
    const own = await done(visits.index('by_owner').getAll(owner));
    for (const row of own) {
      if (!row.sealed) continue;   // left by an older version and not yet sealed: never dropped
      const keep = keepIds === null || keepIds.has(row.id);
      if (keep) await done(locked.put(row.sealed));
      for (const photo of await done(photos.index('by_visit').getAll(row.id))) {
        if (keep && photo.sealed) await done(locked.put(photo.sealed));
        await done(photos.delete(photo.id));
      }
      await done(visits.delete(row.id));
    }
    await done(snapshot.clear());
    await done(keys.delete(owner));
    await done(meta.delete('session'));
    await done(meta.delete('cursor'));
    await done(meta.delete('due_as_of'));
    await done(meta.delete('last_sync'));
  });
}

export function lockedOf(owner) {
  return transact(['locked'], 'readonly', ({ locked }) => done(locked.index('by_owner').getAll(owner)));
}

export function allLocked() {
  return transact(['locked'], 'readonly', ({ locked }) => done(locked.getAll()));
}

/** The reverse of lockAccount for the owner who signed back in: their rows back, sealed afresh. */
export async function unlockAccount(visitRows, photoRows, lockedIds) {
  const sealedVisits = await Promise.all(visitRows.map(sealVisit));
  const sealedPhotos = await Promise.all(photoRows.map(sealPhoto));
  return transact(['visits', 'photos', 'locked'], 'readwrite', async ({ visits, photos, locked }) => {
    for (const row of sealedVisits) await done(visits.put(row));
    for (const row of sealedPhotos) await done(photos.put(row));
    for (const id of lockedIds) await done(locked.delete(id));
  });
}
