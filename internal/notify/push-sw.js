// The service worker of sep's web push (served at /push-sw.js, scope /): it shows each message
// the push service delivers — decrypted by the browser — and opens the notification settings
// or the cabinet when the notification is clicked. It caches nothing.
'use strict';

self.addEventListener('push', function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { title: 'СЭП', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(self.registration.showNotification(data.title || 'СЭП', {
    body: data.body || '',
    tag: data.tag || undefined,
    lang: 'ru'
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/applications'));
});
