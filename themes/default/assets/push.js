/* push.js — the "Breaking news alerts" button (docs/push.md). Progressive: the button stays
 * hidden unless the browser can receive Web Push (service workers, PushManager, a secure
 * context). A click subscribes with the site's VAPID key (GET /api/v1/push/key) and sends the
 * subscription to POST /api/v1/push/subscriptions; a second click unsubscribes. The service
 * worker (/sw.js) shows the alerts. No dependencies, no inline script (the CSP forbids it). */
(function () {
  'use strict';
  var button = document.querySelector('.push-alerts');
  if (!button || !window.isSecureContext || !('serviceWorker' in navigator) ||
      !('PushManager' in window) || !('Notification' in window)) {
    return;
  }

  function keyBytes(base64url) {
    var text = base64url.replace(/-/g, '+').replace(/_/g, '/');
    text += '===='.slice(0, (4 - text.length % 4) % 4);
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function show(subscribed) {
    button.setAttribute('aria-pressed', subscribed ? 'true' : 'false');
    button.textContent = subscribed ? 'Breaking news alerts: on' : 'Breaking news alerts';
  }

  async function post(path, body) {
    var response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body)
    });
    if (!response.ok) {
      var answer = await response.json().catch(function () { return {}; });
      throw new Error(answer.error || 'HTTP ' + response.status);
    }
  }

  async function toggle() {
    var registration = await navigator.serviceWorker.ready;
    var current = await registration.pushManager.getSubscription();
    if (current) {
      await post('/api/v1/push/unsubscribe', {endpoint: current.endpoint});
      await current.unsubscribe();
      return false;
    }
    var key = await (await fetch('/api/v1/push/key')).json();
    var subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key.public_key)
    });
    await post('/api/v1/push/subscriptions', subscription.toJSON());
    return true;
  }

  navigator.serviceWorker.register('/sw.js').then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    show(!!subscription);
    button.hidden = false;
  }).catch(function () { /* no worker, no button */ });

  button.addEventListener('click', function () {
    button.disabled = true;
    button.removeAttribute('title');
    toggle().then(show, function (error) {
      button.title = 'Alerts could not be changed: ' + error.message;
    }).then(function () { button.disabled = false; });
  });
})();
