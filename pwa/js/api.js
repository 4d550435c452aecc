/*
 * The only module that calls fetch() on the server. Every answer comes back as a plain
 * outcome, never a thrown error, so callers decide what a failure means:
 *   {ok: true, status, data}                        a 2xx with the JSON body expected
 *   {ok: false, kind: 'network'}                    no answer, a timeout, or a dropped reply
 *   {ok: false, kind: 'not-json', status}           an answer that is not our server's JSON (a captive portal)
 *   {ok: false, kind: 'http', status, error}        our server refused: error is {code, message, details}
 * The session cookie rides along; writes carry the CSRF token in X-CSRFToken.
 */

const JSON_TIMEOUT_MS = 30_000;
const PHOTO_TIMEOUT_MS = 120_000;

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

async function call(method, path, { json, body, headers = {}, timeout = JSON_TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const sent = { ...headers, Accept: 'application/json' };
  if (json !== undefined) {
    sent['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  if (method !== 'GET' && csrfToken) sent['X-CSRFToken'] = csrfToken;
  let response;
  let text;
  try {
    response = await fetch(path, {
      method, body, headers: sent, credentials: 'same-origin', cache: 'no-store', signal: controller.signal,
    });
    text = await response.text();
  } catch {
    return { ok: false, kind: 'network' };
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return { ok: true, status: 204, data: null };
  const isJson = (response.headers.get('Content-Type') || '').startsWith('application/json');
  let data = null;
  if (isJson) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (data === null || typeof data !== 'object') return { ok: false, kind: 'not-json', status: response.status };
  if (!response.ok) {
    const error = typeof data.code === 'string' ? data : { code: 'unknown', message: `Error ${response.status}`, details: {} };
    return { ok: false, kind: 'http', status: response.status, error };
  }
  return { ok: true, status: response.status, data };
}

/** A write; a stale CSRF token (the server restarted its sessions) is refreshed and retried once. */
async function write(method, path, options) {
  let outcome = await call(method, path, options);
  if (!outcome.ok && outcome.kind === 'http' && outcome.error.code === 'csrf_failed') {
    const me = await call('GET', '/api/me');
    if (me.ok) {
      csrfToken = me.data.csrf_token;
      outcome = await call(method, path, options);
    }
  }
  return outcome;
}

export async function signIn(email, password) {
  const csrf = await call('GET', '/api/csrf');
  if (!csrf.ok) return csrf;
  csrfToken = csrf.data.csrf_token;
  const outcome = await call('POST', '/api/session', { json: { email, password } });
  // 202: the password was right and a second factor is needed; nothing is granted yet.
  if (outcome.ok && outcome.status === 200) csrfToken = outcome.data.csrf_token;
  return outcome;
}

/** The second step: a code from the authenticator app (or a recovery code) for `token`. */
export async function signInCode(token, code) {
  const outcome = await call('POST', '/api/session/second-factor', { json: { pending_token: token, code } });
  if (outcome.ok) csrfToken = outcome.data.csrf_token;
  return outcome;
}

/** The second step with a passkey: its options for `token`, then the browser's answer. */
export function passkeyOptions(token) {
  return call('POST', '/api/session/passkey/options', { json: { pending_token: token } });
}

export async function signInPasskey(token, credential) {
  const outcome = await call('POST', '/api/session/passkey', { json: { pending_token: token, credential } });
  if (outcome.ok) csrfToken = outcome.data.csrf_token;
  return outcome;
}

export function signOut() {
  return write('DELETE', '/api/session');
}

export function me() {
  return call('GET', '/api/me');
}

/** `since` and `dueAsOf`: the cursor and day of the snapshot held (the server answers
 * "unchanged" only for both: deadlines pass overnight with no row changing). */
export function bootstrap(since, dueAsOf) {
  const params = new URLSearchParams();
  if (since !== null && since !== undefined) params.set('since', since);
  if (dueAsOf) params.set('due_as_of', dueAsOf);
  const query = params.toString();
  return call('GET', `/api/bootstrap${query ? `?${query}` : ''}`);
}

export function putVisit(visitId, payload) {
  return write('PUT', `/api/visits/${visitId}`, { json: payload });
}

export function putPhoto(visitId, photo) {
  return write('PUT', `/api/visits/${visitId}/photos/${photo.id}`, {
    body: photo.bytes,
    headers: { 'Content-Type': photo.type, 'X-Content-SHA256': photo.sha256 },
    timeout: PHOTO_TIMEOUT_MS,
  });
}

/** How many bytes of a photo the server holds (docs/sync-protocol.md §2): where to go on from. */
export function photoUpload(visitId, photoId) {
  return call('GET', `/api/visits/${visitId}/photos/${photoId}/upload`);
}

/** A photo's bytes from `offset` to `end`; the server keeps what arrives even if the link drops. */
export function putPhotoPart(visitId, photo, offset, end) {
  return write('PUT', `/api/visits/${visitId}/photos/${photo.id}/upload`, {
    body: photo.bytes.slice(offset, end),
    headers: { 'Content-Type': photo.type, 'X-Content-SHA256': photo.sha256, 'Upload-Offset': String(offset) },
    timeout: PHOTO_TIMEOUT_MS,
  });
}

export function getVisitReceipt(visitId) {
  return call('GET', `/api/visits/${visitId}`);
}

export function reportDiscarded(visitIds, confirmedAt) {
  return write('POST', '/api/visits/discarded', { json: { visit_ids: visitIds, confirmed_at: confirmedAt } });
}

/** The shared code labels (a static file the service worker keeps for offline use). */
export async function vocabulary() {
  const outcome = await call('GET', '/shared_schemas/vocabulary.json');
  return outcome.ok ? outcome.data : null;
}
