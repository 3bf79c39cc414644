// onegrid service worker (issue 19): the staff pages open without a network.
//
// Pages are fetched from the network first and kept in a cache named after
// the policy version they were rendered under ("onegrid-pages-<id>"); without
// a network the kept copy is served. A page asks for the current version's
// list (/offline/pages.json: inbox, duty round, outbox, the report forms of
// her matters) and posts it here; a new version fills a new cache, refreshes
// the pages kept under the old one and drops the old cache. POSTs are never
// touched: what is made offline goes to the outbox (offline.js, IndexedDB).
"use strict";

var PREFIX = "onegrid-pages-";
// kept as they are visited; anything else (admin, exports, the API) is not
var KEPT = [
  /^\/$/, /^\/duties\/$/, /^\/cases\/new$/, /^\/cases\/\d+$/, /^\/cases\/\d+\/photos\/[^/]+$/,
  /^\/offline\//, /^\/static\//, /^\/forms\.(css|js)$/, /^\/manifest\.webmanifest$/,
];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// a report form's URL carries a fresh idempotency key each time: one copy per form
function keyOf(url) {
  var u = new URL(url, self.location.origin);
  u.searchParams.delete("key");
  u.hash = "";
  return u.href;
}

function kept(url) {
  return KEPT.some(function (re) { return re.test(url.pathname); });
}

function current() {
  return caches.keys().then(function (names) {
    var ids = names.filter(function (n) { return n.indexOf(PREFIX) === 0; })
      .map(function (n) { return parseInt(n.slice(PREFIX.length), 10); })
      .filter(function (n) { return !isNaN(n); });
    if (!ids.length) { return null; }
    return caches.open(PREFIX + Math.max.apply(null, ids));
  });
}

function keep(cache, url, response) {
  if (cache && response.ok && response.type === "basic" && !response.redirected) {
    return cache.put(keyOf(url), response);
  }
  return Promise.resolve();
}

function offlinePage() {
  var body = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>离线 · Offline</title><h1>离线 · Offline</h1>" +
    "<p>此页没有保存在本机。Not kept on this phone.</p>" +
    "<p><a href='/'>待办 To do</a> · <a href='/cases/new'>上报 Report</a> · " +
    "<a href='/duties/'>我的职责 My duties</a> · <a href='/offline/outbox'>待发送 Outbox</a></p>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js" || !kept(url)) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      var copy = response.clone();
      event.waitUntil(current().then(function (cache) { return keep(cache, request.url, copy); }));
      return response;
    }).catch(function (error) {
      return caches.match(keyOf(request.url), { ignoreVary: true }).then(function (hit) {
        if (hit) { return hit; }
        if (request.mode === "navigate") { return offlinePage(); }
        throw error;
      });
    })
  );
});

var generation = 0;

function precache(version, urls) {
  var name = PREFIX + version;
  var started = generation;
  return caches.keys().then(function (names) {
    var old = names.filter(function (n) { return n.indexOf(PREFIX) === 0 && n !== name; });
    return Promise.all(old.map(function (n) {
      return caches.open(n).then(function (c) { return c.keys(); });
    })).then(function (lists) {
      var seen = {};
      var all = [];
      urls.concat.apply(urls, lists.map(function (l) { return l.map(function (r) { return r.url; }); }))
        .forEach(function (u) {
          var k = keyOf(u);
          if (!seen[k]) { seen[k] = true; all.push(new URL(u, self.location.origin).href); }
        });
      return caches.open(name).then(function (cache) {
        var count = 0;
        // one at a time: the server is a district's, not a CDN
        return all.reduce(function (chain, u) {
          return chain.then(function () {
            if (generation !== started) { return; } // she logged out: stop
            // marked, so that the server leaves her session cookie alone (offline.py)
            var init = { credentials: "same-origin", headers: { "X-Onegrid-Keep": "1" } };
            return fetch(u, init).then(function (response) {
              if (response.ok && !response.redirected) { count += 1; }
              return keep(cache, u, response);
            }).catch(function () {});
          });
        }, Promise.resolve()).then(function () {
          return Promise.all(old.map(function (n) { return caches.delete(n); }));
        }).then(function () { return count; });
      });
    });
  });
}

// what the cache of a version was filled for (user and language): asked twice, filled once
var MARK = "/offline/__filled";
var running = {};
function precacheOnce(data) {
  var name = PREFIX + data.version;
  if (running[name]) { return running[name]; }
  running[name] = caches.open(name).then(function (cache) {
    return cache.match(MARK).then(function (hit) { return hit ? hit.text() : ""; }).then(function (mark) {
      if (mark === data.mark) { return -1; }
      var started = generation;
      return precache(data.version, data.urls || []).then(function (count) {
        if (generation !== started) { return count; } // cut short: not filled
        return cache.put(MARK, new Response(data.mark)).then(function () { return count; });
      });
    });
  }).then(function (count) { delete running[name]; return count; },
    function (error) { delete running[name]; throw error; });
  return running[name];
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache") { event.waitUntil(precacheOnce(data)); }
  if (data.type === "forget") {
    generation += 1;
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(PREFIX) === 0; })
        .map(function (n) { return caches.delete(n); }));
    }));
  }
});
