// Passkeys on office pages (no inline script: the CSP refuses it). A form marked
// data-passkey-sign-in or data-passkey-add fetches its options as JSON from data-options-url,
// asks the browser for a passkey, puts the answer (JSON, binary fields base64url) in its hidden
// "credential" field and submits; the server checks it and answers with a page as for any form.
(() => {
  const toBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const toText = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  function requestOptions(json) {
    return { ...json, challenge: toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })) };
  }

  function creationOptions(json) {
    return { ...json, challenge: toBytes(json.challenge), user: { ...json.user, id: toBytes(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })) };
  }

  function credentialJson(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({ id: credential.id, rawId: toText(credential.rawId), type: credential.type, response,
      authenticatorAttachment: credential.authenticatorAttachment || null, clientExtensionResults: {} });
  }

  async function run(form, adding) {
    const message = form.querySelector("[data-passkey-message]");
    const say = (text) => { message.textContent = text; message.hidden = !text; };
    const button = form.querySelector("button[type=submit]");
    if (!window.PublicKeyCredential) {
      say("This browser cannot use passkeys. Enter a code instead.");
      return;
    }
    say("");
    button.disabled = true;
    try {
      const answer = await fetch(form.dataset.optionsUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrf_token.value, Accept: "application/json" },
      });
      const body = await answer.json();
      if (!answer.ok) {
        say(body.message || "Passkeys are unavailable just now.");
        return;
      }
      const credential = adding
        ? await navigator.credentials.create({ publicKey: creationOptions(body.public_key) })
        : await navigator.credentials.get({ publicKey: requestOptions(body.public_key) });
      form.elements.credential.value = credentialJson(credential);
      HTMLFormElement.prototype.submit.call(form);
    } catch (error) {
      say(error && error.name === "NotAllowedError"
        ? "No passkey was used (it was cancelled or timed out). Try again."
        : "The passkey did not work here. Try again, or enter a code.");
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const adding = form.matches("[data-passkey-add]");
    if (!adding && !form.matches("[data-passkey-sign-in]")) return;
    event.preventDefault();
    if (adding && !form.reportValidity()) return;
    run(form, adding);
  });
})();
