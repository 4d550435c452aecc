/*
 * The only module that touches IndexedDB. Everything the phone keeps lives here: the signed-in
 * session, the bootstrap snapshot, visits (drafts to confirmed), photo bytes, locked records of
 * signed-out people and their keys.
 *
 * One upgrade ladder (UPGRADES): step N turns a version N database into version N+1, so a
 * phone that skipped releases climbs every step in order. iOS drops IndexedDB connections when
 * an app sits in the background; every call reopens and retries once when that happens.
 * Photo bytes are ArrayBuffers, never Blobs (WebKit has lost Blobs in IndexedDB before).
 */

const DB_NAME = 'ap-visits';

const UPGRADES = [
  // 0 → 1: the first schema.
  (db) => {
    db.createObjectStore('meta');                                   // small named values
    db.createObjectStore('snapshot');                               // 'current' → bootstrap
    db.createObjectStore('keys', { keyPath: 'owner' });             // owner → non-extractable CryptoKey
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

// --- meta: small named values --------------------------------------------------------------

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

export function getSnapshot() {
  return transact(['snapshot'], 'readonly', ({ snapshot }) => done(snapshot.get('current')));
}

export function putSnapshot(value) {
  return transact(['snapshot'], 'readwrite', ({ snapshot }) => done(snapshot.put(value, 'current')));
}

// --- keys ----------------------------------------------------------------------------------

export function getKey(owner) {
  return transact(['keys'], 'readonly', ({ keys }) => done(keys.get(owner))).then((row) => row?.key);
}

export function putKey(owner, key) {
  return transact(['keys'], 'readwrite', ({ keys }) => done(keys.put({ owner, key })));
}

// --- visits and photos ---------------------------------------------------------------------

export function getVisit(id) {
  return transact(['visits'], 'readonly', ({ visits }) => done(visits.get(id)));
}

export function visitsOf(owner) {
  return transact(['visits'], 'readonly', ({ visits }) => done(visits.index('by_owner').getAll(owner)));
}

export function putVisit(visit) {
  return transact(['visits'], 'readwrite', ({ visits }) => done(visits.put(visit)));
}

/** Save a visit and its photo records together: a completed visit is written in one transaction. */
export function putVisitWithPhotos(visit, photoRecords) {
  return transact(['visits', 'photos'], 'readwrite', async ({ visits, photos }) => {
    await done(visits.put(visit));
    for (const photo of photoRecords) await done(photos.put(photo));
  });
}

export function getPhoto(id) {
  return transact(['photos'], 'readonly', ({ photos }) => done(photos.get(id)));
}

export function photosOf(visitId) {
  return transact(['photos'], 'readonly', ({ photos }) => done(photos.index('by_visit').getAll(visitId)));
}

export function putPhoto(photo) {
  return transact(['photos'], 'readwrite', ({ photos }) => done(photos.put(photo)));
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

// --- signing out: swap readable records for locked ones, in one transaction ------------------

/** Everything readable that belongs to `owner`: their visits and those visits' photos. */
export function readableOf(owner) {
  return transact(['visits', 'photos'], 'readonly', async ({ visits, photos }) => {
    const own = await done(visits.index('by_owner').getAll(owner));
    const photoRows = [];
    for (const visit of own) photoRows.push(...await done(photos.index('by_visit').getAll(visit.id)));
    return { visits: own, photos: photoRows };
  });
}

/**
 * Put `lockedRows` in place of all of `owner`'s readable visits and photos, and forget the
 * snapshot, the session and the key. One transaction: the phone never holds a half-locked account.
 */
export function lockAccount(owner, lockedRows) {
  const names = ['visits', 'photos', 'locked', 'snapshot', 'keys', 'meta'];
  return transact(names, 'readwrite', async ({ visits, photos, locked, snapshot, keys, meta }) => {
    for (const row of lockedRows) await done(locked.put(row));
    const own = await done(visits.index('by_owner').getAllKeys(owner));
    for (const id of own) {
      for (const key of await done(photos.index('by_visit').getAllKeys(id))) await done(photos.delete(key));
      await done(visits.delete(id));
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

/** The reverse of lockAccount for the owner who signed back in: readable rows in, locked rows out. */
export function unlockAccount(visitRows, photoRows, lockedIds) {
  return transact(['visits', 'photos', 'locked'], 'readwrite', async ({ visits, photos, locked }) => {
    for (const row of visitRows) await done(visits.put(row));
    for (const row of photoRows) await done(photos.put(row));
    for (const id of lockedIds) await done(locked.delete(id));
  });
}
