// The idle warning of СЭП (internal/id/idle.go). A signed-in session ends after a while
// without a request. Shortly before, this script opens an accessible dialog offering to stay
// signed in («Продлить») or to sign out; the page itself is never reloaded, so a form being
// filled keeps what was typed. If the session ends anyway, the dialog says so and offers to
// sign in again in a new tab, after which the form can be sent from this one.
//
// The server tells the time left (GET /api/v1/session, which does not count as activity) and
// the dialog's words in the page's language; the script has no words of its own. Without
// JavaScript nothing of this happens and nothing breaks: the session ends, and the sign-in
// page explains why and brings the person back.
(function () {
  "use strict";
  if (!window.fetch || typeof HTMLDialogElement !== "function") {
    return;
  }
  var STATUS = "/api/v1/session", EXTEND = "/api/v1/session/extend";
  var timer = 0, ticker = 0, endAt = 0, words = null, dialog = null, state = "";

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // answer reads a JSON answer; a refusal is thrown with its status.
  function answer(r) {
    return r.json().then(function (body) {
      if (!r.ok) {
        throw { status: r.status, body: body };
      }
      return body;
    });
  }

  // headers ask for JSON in the page's language (the API follows Accept-Language).
  function headers(more) {
    var h = more || {};
    h.Accept = "application/json";
    h["Accept-Language"] = document.documentElement.lang || "ru";
    return h;
  }

  function status() {
    return fetch(STATUS, { credentials: "same-origin", headers: headers() }).then(answer);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function build() {
    dialog = el("dialog", { id: "idle-dialog", "class": "idle-dialog", role: "alertdialog",
      "aria-modal": "true", "aria-labelledby": "idle-title", "aria-describedby": "idle-body" });
    dialog.appendChild(el("h2", { id: "idle-title" }));
    dialog.appendChild(el("p", { id: "idle-body" }));
    dialog.appendChild(el("p", { id: "idle-left", "class": "muted" }));
    var actions = el("div", { "class": "idle-actions" });
    var extend = el("button", { type: "button", id: "idle-extend" });
    extend.addEventListener("click", prolong);
    actions.appendChild(extend);
    var out = el("form", { method: "post", action: "/id/signout" });
    out.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrfToken() }));
    out.appendChild(el("button", { type: "submit", id: "idle-signout", "class": "link-button" }));
    actions.appendChild(out);
    var signin = el("a", { id: "idle-signin", target: "_blank", rel: "noopener" });
    actions.appendChild(signin);
    dialog.appendChild(actions);
    // Esc closes the warning; whoever pressed it is here, so the session goes on.
    dialog.addEventListener("cancel", function (e) {
      if (state === "warn") {
        e.preventDefault();
        prolong();
      }
    });
    document.body.appendChild(dialog);
  }

  function text(id, s) {
    document.getElementById(id).textContent = s || "";
  }

  function open(kind) {
    if (!dialog) {
      build();
    }
    state = kind;
    var w = words || {};
    var ended = kind === "ended";
    text("idle-title", ended ? w.ended : w.title);
    text("idle-body", ended ? "" : w.body);
    text("idle-extend", w.extend);
    text("idle-signout", w.signout);
    text("idle-signin", w.signin);
    document.getElementById("idle-body").hidden = ended;
    document.getElementById("idle-left").hidden = ended;
    document.getElementById("idle-extend").hidden = ended;
    document.getElementById("idle-signout").parentNode.hidden = ended;
    var signin = document.getElementById("idle-signin");
    signin.hidden = !ended;
    signin.href = "/id/signin?return=" + encodeURIComponent(location.pathname + location.search);
    if (!dialog.open) {
      dialog.showModal();
    }
    (ended ? signin : document.getElementById("idle-extend")).focus();
    if (!ended) {
      tick();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    }
  }

  function close() {
    clearInterval(ticker);
    state = "";
    if (dialog && dialog.open) {
      dialog.close();
    }
  }

  function tick() {
    var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    text("idle-left", (words && words.left || "{time}").replace("{time}", m + ":" + (s < 10 ? "0" : "") + s));
    if (left === 0) {
      clearInterval(ticker);
      check();
    }
  }

  // plan waits for the warning time of the clock c.
  function plan(c) {
    words = c.dialog;
    endAt = Date.now() + c.idle_seconds_left * 1000;
    clearTimeout(timer);
    var wait = c.idle_seconds_left - c.warn_seconds;
    if (wait > 0) {
      close();
      timer = setTimeout(check, wait * 1000);
    } else if (c.idle_seconds_left > 0) {
      open("warn");
    } else {
      timer = setTimeout(check, 1000); // only the server says the session has ended (401)
    }
  }

  // check asks the server again: another tab may have extended the session.
  function check() {
    status().then(plan, failed);
  }

  // failed: a 401 means the session has ended; anything else (the network, a restart) is
  // asked again shortly.
  function failed(err) {
    if (err && err.status === 401) {
      ended(err);
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(check, 15000);
  }

  function ended(err) {
    if (err && err.body && err.body.error && words === null) {
      words = { ended: err.body.error.message };
    }
    clearTimeout(timer);
    clearInterval(ticker);
    open("ended");
  }

  function prolong() {
    fetch(EXTEND, { method: "POST", credentials: "same-origin", body: "{}",
      headers: headers({ "Content-Type": "application/json", "X-CSRF-Token": csrfToken() }) })
      .then(answer).then(plan, failed);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state !== "ended") {
      check(); // timers sleep in background tabs
    }
  });
  check();
})();
