// Web push on the notification settings page (/id/notifications): asks the browser's
// permission, subscribes through its PushManager with the site's VAPID key (the section's
// data-key) and registers the subscription with POST /api/v1/notifications/push; or removes
// it. Without JavaScript or PushManager the page says push needs them; everything else on the
// page works without this script.
(function () {
  'use strict';
  var section = document.getElementById('push');
  if (!section) return;
  var on = document.getElementById('push-on');
  var off = document.getElementById('push-off');
  var status = document.getElementById('push-status');
  var nojs = document.getElementById('push-nojs');
  var say = function (what) { status.textContent = status.getAttribute('data-' + what) || ''; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    nojs.hidden = true;
    say('unsupported');
    return;
  }
  nojs.hidden = true;

  var key = function () {
    var s = section.getAttribute('data-key').replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(s + '='.repeat((4 - s.length % 4) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  };
  var csrf = function () {
    var f = document.querySelector('input[name="csrf_token"]');
    return f ? f.value : '';
  };
  var post = function (path, body) {
    return fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
      body: JSON.stringify(body)
    }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r; });
  };
  var show = function (sub) {
    on.hidden = !!sub;
    off.hidden = !sub;
  };

  navigator.serviceWorker.register('/push-sw.js', { scope: '/' }).then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      show(sub);
      on.addEventListener('click', function () {
        Notification.requestPermission().then(function (p) {
          if (p !== 'granted') { say('denied'); return; }
          return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key() })
            .then(function (s) { return post('/api/v1/notifications/push', s.toJSON()).then(function () { show(s); say('on'); }); });
        }).catch(function () { say('failed'); });
      });
      off.addEventListener('click', function () {
        reg.pushManager.getSubscription().then(function (s) {
          if (!s) { show(null); return; }
          return post('/api/v1/notifications/push/remove', { endpoint: s.endpoint })
            .catch(function () {}) // already gone on the server: unsubscribe anyway
            .then(function () { return s.unsubscribe(); })
            .then(function () { show(null); say('off'); });
        }).catch(function () { say('failed'); });
      });
    });
  }).catch(function () { say('unsupported'); });
})();
