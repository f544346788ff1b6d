// Live status of applications (internal/applications/web_live.go). On the card and in «Мои
// обращения» this script follows the citizen's changes (server-sent events from
// /applications/events) and shows each where it belongs without a reload: in the list, the
// row's status and deadline; on the card, the status word at once and then the card's own
// parts as the server renders them now (the correction asked for, the history, what may be
// done). The region with role="status" says what changed. The server sends the words in the
// page's language; the script has none of its own. Without JavaScript nothing of this
// happens and nothing is lost: the pages are right on every reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-after]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var region = document.getElementById("live-status");
  var card = root.getAttribute("data-application"); // on the card only
  var refreshing = 0;

  function announce(text) {
    if (!region || !text) {
      return;
    }
    region.textContent = "";
    var p = document.createElement("p");
    p.className = "form-notice";
    p.textContent = text;
    // A moment later, so that the same words said twice are said again.
    window.setTimeout(function () { region.appendChild(p); }, 50);
  }

  // refreshCard replaces the card's parts with the card as the server renders it now.
  function refreshCard() {
    var mine = ++refreshing;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html || mine !== refreshing) {
          return; // a later refresh is under way
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("card-live");
        if (fresh) {
          root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes));
        }
      })
      .catch(function () { /* the status word is right already; the rest on a reload */ });
  }

  function onCard(d) {
    var status = document.getElementById("status");
    var changed = !status || status.getAttribute("data-state") !== d.state;
    if (status) {
      status.textContent = d.status;
      status.setAttribute("data-state", d.state);
    }
    refreshCard();
    if (changed) {
      announce(d.announce);
    }
  }

  function onList(d) {
    var rows = root.querySelectorAll("tr[data-id]");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.getAttribute("data-id") !== d.application) {
        continue;
      }
      var changed = row.getAttribute("data-state") !== d.state;
      row.setAttribute("data-state", d.state);
      var status = row.querySelector(".status");
      var deadline = row.querySelector(".deadline");
      if (status) {
        status.textContent = d.status;
      }
      if (deadline) {
        deadline.textContent = d.deadline || "";
      }
      if (changed) {
        announce(d.announce);
      }
    }
  }

  var source = new EventSource("/applications/events?after=" + encodeURIComponent(root.getAttribute("data-live-after")));
  source.addEventListener("status", function (e) {
    var d;
    try {
      d = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (card) {
      if (d.application === card) {
        onCard(d);
      }
    } else {
      onList(d);
    }
  });
  // The session ended: following stops (the next page asks to sign in again).
  source.addEventListener("end", function () { source.close(); });
})();
