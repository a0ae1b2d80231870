/**
 * /api/v1/auth/renew.js: a small script an upstream page may include to keep the session alive
 * before its tokens expire, the way OpenMetadata's UI calls /api/v1/auth/refresh: refresh first; when
 * the session has no refresh token, a hidden iframe runs the prompt=none renewal through
 * /silent-callback. It emits `gatehouse:session`, `gatehouse:renewed` and `gatehouse:signed-out`
 * events on window, and exposes `window.gatehouse.renew()` and `.session()`.
 */
export const RENEW_SCRIPT = `(function () {
  'use strict';
  var base = '/api/v1/auth/';
  var timer;
  function emit(name, detail) { window.dispatchEvent(new CustomEvent('gatehouse:' + name, { detail: detail })); }
  function session() {
    return fetch(base + 'session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }
  function schedule(s) {
    clearTimeout(timer);
    var ms = Math.max(5000, Date.parse(s.tokenExpiresAt) - Date.now() - 60000);
    timer = setTimeout(renew, ms);
  }
  function silent() {
    return new Promise(function (resolve) {
      var frame = document.createElement('iframe');
      var done = false;
      frame.style.display = 'none';
      frame.title = 'session renewal';
      function finish(data) {
        if (done) return;
        done = true;
        window.removeEventListener('message', onMessage);
        frame.remove();
        resolve(data);
      }
      function onMessage(e) {
        if (e.origin !== location.origin || !e.data) return;
        if (e.data.type === 'gatehouse:silent-renew') return finish(e.data);
        if (e.data.type === 'gatehouse:silent-relay') {
          // The frame got no cookies: complete the renewal from this (first-party) page.
          var path = typeof e.data.callback === 'string' && e.data.callback.charAt(0) === '/' && e.data.callback.charAt(1) !== '/' ? e.data.callback : '/silent-callback';
          fetch(path, {
            method: 'POST', credentials: 'same-origin',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: String(e.data.response || '')
          }).then(function (r) { return r.json(); }).then(finish, function () { finish({ ok: false, error: 'relay_failed' }); });
        }
      }
      window.addEventListener('message', onMessage);
      setTimeout(function () { finish({ ok: false, error: 'timeout' }); }, 15000);
      frame.src = base + 'silent';
      document.body.appendChild(frame);
    });
  }
  function renew() {
    return fetch(base + 'refresh', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (res) {
        if (res.status === 200) return { ok: true, via: 'refresh' };
        if (res.body && res.body.error === 'refresh_unavailable') {
          return silent().then(function (d) { return { ok: !!d.ok, via: 'silent', error: d.error }; });
        }
        return { ok: false, error: res.body && res.body.error };
      })
      .then(function (result) {
        if (!result.ok) { emit('signed-out', result); return result; }
        return session().then(function (s) {
          if (!s || !s.signedIn) { emit('signed-out', result); return result; }
          emit('renewed', { via: result.via, session: s });
          schedule(s);
          return result;
        });
      })
      .catch(function () { clearTimeout(timer); timer = setTimeout(renew, 30000); });
  }
  window.gatehouse = { renew: renew, session: session };
  session().then(function (s) { if (s && s.signedIn) { emit('session', s); schedule(s); } });
})();
`;
