// Passkeys (WebAuthn) for the forms marked data-webauthn="create" (adding a passkey) or
// "get" (signing in with one). The server puts the ceremony's options (JSON) in
// data-options; this script asks the browser, writes its answer (JSON) into the form's field
// marked data-webauthn-answer and submits the form. Browsers offer WebAuthn to scripts only:
// without this script the page says so (<noscript>) and offers the other ways.
(function () {
  "use strict";

  function toBuffer(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toText(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    (list || []).forEach(function (c) { c.id = toBuffer(c.id); });
  }

  function options(kind, json) {
    var o = JSON.parse(json);
    o.challenge = toBuffer(o.challenge);
    if (kind === "create") {
      o.user.id = toBuffer(o.user.id);
      descriptors(o.excludeCredentials);
    } else {
      descriptors(o.allowCredentials);
    }
    return o;
  }

  function answer(c) {
    var r = c.response;
    var out = {id: c.id, rawId: toText(c.rawId), type: c.type, response: {clientDataJSON: toText(r.clientDataJSON)},
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {}};
    if (c.authenticatorAttachment) out.authenticatorAttachment = c.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    }
    if (r.authenticatorData) {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) out.response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify(out);
  }

  function setUp(form) {
    var kind = form.getAttribute("data-webauthn");
    var field = form.querySelector("[data-webauthn-answer]");
    var button = form.querySelector("[data-webauthn-button]");
    var status = form.querySelector(".webauthn-status");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (status) status.textContent = status.getAttribute("data-unsupported");
      return;
    }
    if (button) button.hidden = false;
    form.addEventListener("submit", function (e) {
      if (field.value) return;
      var name = form.querySelector("#name");
      if (name && !name.value.trim()) return; // the server says the name is missing
      e.preventDefault();
      if (status) status.textContent = "";
      var o = {publicKey: options(kind, form.getAttribute("data-options"))};
      var ceremony = kind === "create" ? navigator.credentials.create(o) : navigator.credentials.get(o);
      ceremony.then(function (c) {
        field.value = answer(c);
        form.submit();
      }, function () {
        if (status) status.textContent = status.getAttribute("data-failed");
      });
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(setUp);
})();
