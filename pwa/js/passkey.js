/*
 * Passkeys at sign-in's second step: instead of typing a code, the person unlocks a passkey
 * kept by this phone (or a security key). The server's options come through api.js; the
 * browser signs the challenge; the answer goes back as JSON with binary fields in base64url,
 * the form the server's `webauthn` package reads. Nothing here is stored.
 */
import * as api from './api.js';

const toBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const toText = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Whether this browser can use passkeys at all. */
export function available() {
  return typeof window !== 'undefined' && Boolean(window.PublicKeyCredential && navigator.credentials);
}

/** Ask for the options of the pending sign-in `token`, then for a passkey to answer them.
 * Resolves to {ok: true, credential} or an api.js-style failure {ok: false, kind, error}. */
export async function answer(token) {
  const options = await api.passkeyOptions(token);
  if (!options.ok) return options;
  const json = options.data.public_key;
  try {
    const credential = await navigator.credentials.get({
      publicKey: {
        ...json, challenge: toBytes(json.challenge),
        allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
      },
    });
    const r = credential.response;
    return {
      ok: true,
      credential: {
        id: credential.id, rawId: toText(credential.rawId), type: credential.type, clientExtensionResults: {},
        authenticatorAttachment: credential.authenticatorAttachment || null,
        response: {
          clientDataJSON: toText(r.clientDataJSON), authenticatorData: toText(r.authenticatorData),
          signature: toText(r.signature), userHandle: r.userHandle ? toText(r.userHandle) : null,
        },
      },
    };
  } catch (error) {
    const message = error && error.name === 'NotAllowedError'
      ? 'No passkey was used (it was cancelled or timed out). Try again, or enter a code.'
      : 'The passkey did not work on this phone. Enter a code instead.';
    return { ok: false, kind: 'passkey', error: { code: 'passkey_not_used', message } };
  }
}
