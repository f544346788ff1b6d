// QR sign-in on the desktop's sign-in page (internal/id/web_qr.go). Without this script the
// panel's «Проверить» button does the same by a form: this only saves the presses. Every two
// seconds it asks how the code stands; once the phone approves, it takes the session (the
// server sets the cookie) and goes on to the account; a declined or expired code is replaced
// by a new one in place, so that nothing typed in the sign-in form is lost.
(function () {
  "use strict";
  var panel = document.querySelector("[data-qr-signin]");
  if (!panel || !window.fetch) {
    return;
  }
  var form = panel.querySelector("form");
  var flow = form.querySelector('input[name="flow"]');
  var code = form.querySelector('input[name="code"]');
  var ret = form.querySelector('input[name="return"]').value;
  var image = panel.querySelector(".qr-image");
  var link = panel.querySelector(".qr-link");
  var status = panel.querySelector(".qr-status");
  var every = 2000;
  var maxCodes = 15; // half an hour of codes for a tab left open, then the button
  var codes = 1;
  var busy = false;
  var done = false;

  function say(text) {
    status.textContent = "";
    if (text) {
      var p = document.createElement("p");
      p.textContent = text;
      status.appendChild(p);
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (data) {
        return { status: resp.status, data: data };
      });
    });
  }

  function renew(note) {
    if (codes >= maxCodes) {
      done = true;
      say(panel.getAttribute("data-msg-stopped"));
      return Promise.resolve();
    }
    return post("/api/v1/signin/qr", {}).then(function (res) {
      if (res.status !== 201) {
        return;
      }
      codes++;
      flow.value = res.data.flow;
      code.value = res.data.code;
      image.src = res.data.image;
      link.href = res.data.url;
      link.textContent = res.data.url;
      if (note) {
        say(note);
      }
    });
  }

  function finish() {
    say(panel.getAttribute("data-msg-approved"));
    return post("/api/v1/signin/qr/finish", { flow: flow.value }).then(function (res) {
      if (res.status === 200) {
        done = true;
        window.location.assign(ret || "/id/account");
        return;
      }
      return renew(res.data && res.data.error ? res.data.error.message : "");
    });
  }

  function tick() {
    if (done || busy || document.hidden) {
      return;
    }
    busy = true;
    post("/api/v1/signin/qr/status", { flow: flow.value }).then(function (res) {
      if (res.status !== 200) {
        return;
      }
      switch (res.data.state) {
        case "approved":
          return finish();
        case "declined":
          return renew(panel.getAttribute("data-msg-declined"));
        case "expired":
          return renew("");
      }
    }).catch(function () {
      // Offline for a moment: the next tick asks again.
    }).then(function () {
      busy = false;
    });
  }

  window.setInterval(tick, every);
})();
