/* sw.js — the service worker, served at /sw.js so that it covers the whole site: shows each
 * breaking-news alert Gazette sends ({"title", "body", "url", "tag"}, decrypted by the
 * browser) and opens the story when the alert is clicked. Only URLs of this site are opened. */
'use strict';

function onThisSite(url) {
  try {
    return new URL(url, self.location.origin).origin === self.location.origin;
  } catch (e) {
    return false;
  }
}

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener('push', function (event) {
  var alert = {};
  try {
    alert = event.data ? event.data.json() : {};
  } catch (e) {
    alert = {};
  }
  var title = typeof alert.title === 'string' && alert.title ? alert.title : 'Breaking news';
  var options = {
    body: typeof alert.body === 'string' ? alert.body : '',
    data: {url: typeof alert.url === 'string' && onThisSite(alert.url) ? alert.url : '/'}
  };
  if (typeof alert.tag === 'string' && alert.tag) options.tag = alert.tag;
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = new URL(event.notification.data && event.notification.data.url || '/',
                    self.location.origin).href;
  event.waitUntil(self.clients.matchAll({type: 'window', includeUncontrolled: true})
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url && 'focus' in windows[i]) return windows[i].focus();
      }
      return self.clients.openWindow(url);
    }));
});
