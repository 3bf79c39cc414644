// onegrid offline (issue 19): the service worker, the outbox, drafts and photos.
//
// - registers /sw.js and, once per policy version and user, hands it the list
//   of pages to keep (/offline/pages.json);
// - a report, a duty tick or a step on a case submitted without a network is
//   saved in IndexedDB (fields, photos as Blobs, the policy version of the
//   form, a fresh idempotency key or once-token in its URL) and sent, in the
//   order saved, when the network returns; the outbox page shows each item
//   as 待发送 / 已发送 / 被退回 with the server's reason, and a returned one
//   opens its form again, filled in, to be fixed and sent again;
// - a report form's answers are kept as a draft while she types;
// - photos bigger than the field's limit are shrunk on the phone first.
(function () {
  "use strict";

  var LANG = (document.documentElement.lang || "zh").indexOf("en") === 0 ? "en" : "zh";
  var WORDS = {
    zh: {
      pending: "待发送", sent: "已发送", refused: "被退回", report: "上报", tick: "销号", step: "办理",
      saved: "保存于", located: "位置记录于", tries: "已尝试", times: "次", fix: "修改后重发",
      remove: "删除", open: "查看", offline: "离线：上报、销号和办理会先保存在本机，联网后自动发送。",
      queued: "已保存在本机，联网后自动发送。", draft: "已恢复未提交的草稿。", discard: "清除草稿",
      login: "登录已过期：登录后自动重发", server: "服务器暂时出错，稍后自动重试", net: "网络不通，稍后自动重试",
      stale: "此案件已被他人更新：请打开案件查看最新状态，再决定是否重新办理", refusedNoReason: "服务器退回了此项", fixing: "正在修改待发送的第 {n} 项，提交后替换原项。",
      outbox: "查看待发送", ask: "删除这一项？它不会被发送。", photos: "照片 {n} 张",
      cut: "提交时网络中断，未确认送达：已保存在本机，联网后自动发送（不会重复）",
      kept: "未被受理：填写的内容已保存在待发送列表，可修改后重发。",
    },
    en: {
      pending: "Waiting to send", sent: "Sent", refused: "Returned", report: "Report", tick: "Tick", step: "Step",
      saved: "saved", located: "location at", tries: "tries", times: "", fix: "Fix and send again",
      remove: "Delete", open: "Open", offline: "Offline: reports, ticks and steps are saved on this phone and sent when the network returns.",
      queued: "Saved on this phone; it is sent when the network returns.", draft: "Your unsent draft is back.", discard: "Discard draft",
      login: "Logged out: sent again after you log in", server: "Server error: tried again later", net: "No network: tried again later",
      stale: "Someone else updated this case: open it, check where it stands, then act again if still needed", refusedNoReason: "the server returned this item", fixing: "Fixing outbox item {n}: sending replaces it.",
      outbox: "Open the outbox", ask: "Delete this item? It will not be sent.", photos: "{n} photo(s)",
      cut: "The network failed as it was sent and no answer came: kept on this phone, sent when the network returns (never twice)",
      kept: "Not taken: what you entered is kept in the outbox, to fix and send again.",
    },
  }[LANG];

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : null;
  }
  var USER = meta("onegrid-user");
  // on every request made behind her back: the server leaves her session cookie
  // alone, so that one still under way when she logs out or in cannot undo it
  var KEEP = { "X-Onegrid-Keep": "1" };
  var VERSION = meta("onegrid-policy-version");

  function token() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- IndexedDB ----------------------------------------------------------
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open("onegrid-outbox", 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore("items", { keyPath: "id", autoIncrement: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("items", mode);
        var out = work(t.objectStore("items"));
        t.oncomplete = function () { resolve(out.result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function allItems() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.filter(function (i) { return !i.user || !USER || i.user === USER; })
        .sort(function (a, b) { return a.id - b.id; });
    });
  }
  function getItem(id) { return tx("readonly", function (s) { return s.get(id); }); }
  function putItem(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function deleteItem(id) { return tx("readwrite", function (s) { return s.delete(id); }); }

  // --- what a form is -----------------------------------------------------
  function kindOf(form) {
    var path = new URL(form.action, location.href).pathname;
    if (path === "/cases/new") { return "report"; }
    if (/^\/duties\/\d+\/[^/]+$/.test(path)) { return "tick"; }
    if (/^\/cases\/\d+\/act\/[^/]+$/.test(path)) { return "step"; }
    return null;
  }
  function titleOf(form, kind) {
    if (kind === "report") {
      var h = document.getElementById("matter-name");
      return (h ? h.textContent.trim() : "") || WORDS.report;
    }
    if (kind === "tick") {
      var li = form.closest("li[data-duty]");
      var name = li && li.querySelector(".duty-name");
      return (name ? name.textContent.trim() : "") || WORDS.tick;
    }
    var button = form.querySelector("button[type=submit]");
    var h1 = document.querySelector("h1");
    return (h1 ? h1.textContent.trim() + " · " : "") + (button ? button.textContent.trim() : WORDS.step);
  }
  // the URL a queued item is sent to: its own idempotency key (a report) or
  // once-token (a tick, a step), so that a resend is recognised, never repeated
  function targetOf(form, kind, keep) {
    var u = new URL(form.action, location.href);
    if (kind === "report") { u.searchParams.set("key", keep || token()); }
    else { u.searchParams.set("once", keep || token()); }
    return u.pathname + u.search;
  }
  function keyOfTarget(url, kind) {
    return new URL(url, location.href).searchParams.get(kind === "report" ? "key" : "once");
  }

  // --- photos: shrunk to the field's limit before they are kept or sent ----
  function shrink(file, limit) {
    if (!limit || file.size <= limit || !/^image\//.test(file.type)) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, Math.sqrt(limit / file.size) * 1.2);
      var quality = 0.85;
      function attempt(n) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); })
          .then(function (blob) {
            if (blob && (blob.size <= limit || n > 8)) {
              var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
              return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
            }
            scale *= 0.75;
            quality = Math.max(0.5, quality - 0.1);
            return attempt(n + 1);
          });
      }
      return attempt(0);
    }).catch(function () { return file; });
  }
  function shrinkInputs(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    return Promise.all(inputs.map(function (input) {
      var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.some(function (f) { return limit && f.size > limit; })) { return false; }
      return Promise.all(files.map(function (f) { return shrink(f, limit); })).then(function (out) {
        var dt = new DataTransfer();
        out.forEach(function (f) { dt.items.add(f); });
        input.files = dt.files;
        return true;
      });
    }));
  }
  function tooBig(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      return Array.prototype.some.call(input.files || [], function (f) { return limit && f.size > limit; });
    });
  }

  // --- the outbox ---------------------------------------------------------
  function itemOf(form, kind, keep) {
    var fields = [];
    var files = [];
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); }
      else if (value && value.size) { files.push({ name: name, blob: value, filename: value.name, type: value.type }); }
    });
    var now = new Date().toISOString();
    var item = {
      kind: kind, user: USER, url: targetOf(form, kind, keep), page: location.pathname + location.search,
      title: titleOf(form, kind), fields: fields, files: files, version: VERSION, savedAt: now,
      status: "pending", reason: "", tries: 0, lang: LANG,
    };
    // "use my location": the coordinates with the time the phone took them
    // (sent as the address's [at] part; none for coordinates typed by hand)
    var lat = form.querySelector('input[name$="[lat]"]');
    var lng = form.querySelector('input[name$="[lng]"]');
    var at = form.querySelector('input[name$="[at]"]');
    if (lat && lng && lat.value && lng.value) {
      item.located = { lat: lat.value, lng: lng.value, at: (at && at.value) || null };
    }
    return item;
  }
  function bodyOf(item) {
    var data = new FormData();
    item.fields.forEach(function (f) { data.append(f[0], f[1]); });
    item.files.forEach(function (f) {
      data.append(f.name, new File([f.blob], f.filename || "photo", { type: f.type || f.blob.type }));
    });
    return data;
  }
  // the server's words on a page it returned: flashes, the form's errors by label
  function reasonOf(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var out = [];
    doc.querySelectorAll("main .flash").forEach(function (p) { out.push(p.textContent.trim()); });
    doc.querySelectorAll(".og-error").forEach(function (p) {
      if (!p.textContent.trim()) { return; } // a field's empty slot for errors
      var field = p.closest(".og-field");
      var label = field && field.querySelector("label, legend");
      out.push((label ? label.textContent.replace(/\s+/g, " ").trim() + "：" : "") + p.textContent.trim());
    });
    if (!out.length) {
      var main = doc.querySelector("main h1, main p, h1");
      if (main) { out.push(main.textContent.trim()); }
    }
    return out.filter(Boolean).join("；") || WORDS.refusedNoReason;
  }
  // the form's CSRF token belongs to the session it was kept under; after she
  // logged in again it is refused (400): take a fresh one from the form's page
  function renew(item) {
    return fetch(item.page, { credentials: "same-origin", headers: KEEP }).then(function (response) {
      if (new URL(response.url).pathname.indexOf("/auth/login") === 0) { return false; }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var input = doc.querySelector("form.og-form input[name=csrf_token]") || doc.querySelector("input[name=csrf_token]");
        if (!input) { return false; }
        item.fields = item.fields.map(function (f) { return f[0] === "csrf_token" ? [f[0], input.value] : f; });
        return true;
      });
    });
  }
  function sendOne(item, renewed) {
    item.tries += 1;
    item.lastTry = new Date().toISOString();
    return fetch(item.url, { method: "POST", body: bodyOf(item), credentials: "same-origin", headers: KEEP })
      .then(function (response) {
        var path = new URL(response.url).pathname;
        var search = new URL(response.url).search;
        if (response.status >= 500) { item.reason = WORDS.server; return "retry"; }
        if (path.indexOf("/auth/login") === 0) { item.reason = WORDS.login; return "stop"; }
        if (response.status === 400 && !renewed) {
          return renew(item).then(function (ok) {
            if (ok) { return sendOne(item, true); }
            item.reason = WORDS.login;
            return "stop";
          });
        }
        return response.text().then(function (html) {
          if (response.ok && response.redirected && !/[?&]stale=1/.test(search) &&
              (item.kind === "tick" ? path === "/duties/" : /^\/cases\/\d+$/.test(path))) {
            item.status = "sent";
            item.reason = "";
            item.result = path;
            item.sentAt = new Date().toISOString();
            item.files = item.files.map(function (f) { return { name: f.name, filename: f.filename, size: f.blob.size }; });
            return "next";
          }
          item.status = "refused";
          item.reason = /[?&]stale=1/.test(search) ? WORDS.stale : reasonOf(html);
          if (/^\/cases\/\d+$/.test(path)) { item.result = path; }
          return "next";
        });
      }, function () { item.reason = WORDS.net; return "retry"; });
  }
  var flushing = false;
  var retryTimer = null;
  function flush() {
    if (flushing || !navigator.onLine || !USER) { return Promise.resolve(); }
    flushing = true;
    var run = function () {
      return allItems().then(function (items) {
        var pending = items.filter(function (i) { return i.status === "pending"; });
        var backoff = 0;
        var chain = Promise.resolve("next");
        pending.forEach(function (item) {
          chain = chain.then(function (went) {
            if (went !== "next") { return went; }
            return sendOne(item).then(function (outcome) {
              if (outcome === "retry") { backoff = Math.min(60000, 2000 * Math.pow(2, Math.min(item.tries, 5))); }
              return putItem(item).then(function () { render(); return outcome; });
            });
          });
        });
        return chain.then(function () {
          if (backoff) {
            clearTimeout(retryTimer);
            retryTimer = setTimeout(flush, backoff);
          }
        });
      });
    };
    // one sender per phone even with several tabs open (the keys make a double send harmless anyway)
    var done = navigator.locks ? navigator.locks.request("onegrid-outbox", run) : run();
    return done.then(function () { flushing = false; render(); }, function () { flushing = false; });
  }

  // --- drafts of a report form --------------------------------------------
  function draftKey(form) {
    var u = new URL(form.action, location.href);
    u.searchParams.delete("key");
    return "onegrid-draft:" + (USER || "") + ":" + u.pathname + u.search;
  }
  function fill(form, fields) {
    var byName = {};
    fields.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || !(el.name in byName)) { return; }
      if (el.type === "hidden" && !el.hasAttribute("data-keep")) { return; } // tokens, versions
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) >= 0; }
      else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else { el.value = values.shift(); }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  function saveDraft(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token" && name !== "_policy_version") { fields.push([name, value]); }
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), fields: fields })); } catch (e) { /* full */ }
  }
  function clearDraft(form) {
    try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
  }
  // a draft sent the ordinary way is dropped only once the case page shows
  // that it arrived: a request lost on a bad network keeps it
  function sentDraft(form) {
    try { sessionStorage.setItem("onegrid-sent-draft", draftKey(form)); } catch (e) { /* ignore */ }
  }
  function settleDraft() {
    var key = null;
    try { key = sessionStorage.getItem("onegrid-sent-draft"); } catch (e) { return; }
    if (!key) { return; }
    sessionStorage.removeItem("onegrid-sent-draft");
    if (/^\/cases\/\d+$/.test(location.pathname)) { localStorage.removeItem(key); }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw || form.querySelector(".og-summary")) { return; } // a returned form shows the server's copy
    var draft = JSON.parse(raw);
    if (!draft.fields || !draft.fields.some(function (f) { return f[1] !== ""; })) { return; }
    fill(form, draft.fields);
    var note = document.createElement("p");
    note.className = "flash offline-draft";
    note.id = "draft-restored";
    note.textContent = WORDS.draft + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.id = "draft-discard";
    button.textContent = WORDS.discard;
    button.addEventListener("click", function () { clearDraft(form); location.reload(); });
    note.appendChild(button);
    form.parentNode.insertBefore(note, form);
  }

  // --- forms --------------------------------------------------------------
  function prepare(form) {
    var kind = kindOf(form);
    if (!kind) { return; }
    if (kind === "report" && VERSION && !form.querySelector('input[name="_policy_version"]')) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "_policy_version";
      hidden.value = VERSION;
      form.appendChild(hidden);
    }
    if (kind === "report") {
      var timer = null;
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { saveDraft(form); }, 300);
      });
      form.addEventListener("change", function () { saveDraft(form); });
    }
  }

  function fixing() {
    var m = /^#outbox=(\d+)$/.exec(location.hash);
    return m ? parseInt(m[1], 10) : null;
  }

  function queue(form, kind, fixId) {
    var existing = fixId ? getItem(fixId) : Promise.resolve(null);
    return existing.then(function (old) {
      var keep = old ? keyOfTarget(old.url, old.kind) : null;
      var item = itemOf(form, kind, keep);
      if (old) { item.id = old.id; item.savedAt = old.savedAt; item.located = item.located || old.located; }
      return putItem(item);
    }).then(function (id) {
      if (kind === "report") { clearDraft(form); }
      location.href = "/offline/outbox#saved-" + id;
    });
  }

  // --- a form sent online: a copy kept until a page of ours answers it -------
  // Before the ordinary submit her answers (photos too) go into the outbox as
  // "sending", under the form's own key or once-token. The page the server
  // answers with drops the copy: the case or the duty round (taken), or the
  // form again with its errors (her answers are on it). A refusal that shows
  // no form of hers (someone else moved the case or the round on) makes it a
  // returned item, to fix and send again. When the network failed mid-submit
  // no page of ours answered: the next one she opens makes the copy an
  // ordinary pending item, sent when the network is there; its key or token
  // makes a resend of something that did arrive harmless.
  var SENDING = "onegrid-sending";
  function keepSending(form, kind) {
    var item = itemOf(form, kind, keyOfTarget(form.action, kind));
    item.status = "sending";
    // which copy this tab's next page settles: its key, known before the write ends
    try { sessionStorage.setItem(SENDING, keyOfTarget(item.url, kind)); } catch (e) { /* kept all the same */ }
    return putItem(item).catch(function () {});
  }
  function answered(item) {
    var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (!nav || nav.type === "back_forward") { return null; }
    var status = nav.responseStatus || 200;
    var path = location.pathname;
    var target = new URL(item.url, location.href).pathname;
    var landed = item.kind === "tick" ? path === "/duties/" : /^\/cases\/\d+$/.test(path);
    if (landed && status < 400) {
      if (/[?&]stale=1/.test(location.search)) { return "stale"; }
      return document.querySelector("main .flash") ? "taken" : null;
    }
    if (path !== target || status < 400) { return null; }
    // her form again, filled in: a report's page always is; a tick's or a step's
    // when it shows the errors (a refused tick's round page has fresh forms only)
    var again = Array.prototype.some.call(document.querySelectorAll("form.og-form"), function (f) {
      return kindOf(f) === item.kind && new URL(f.action, location.href).pathname === target &&
        (item.kind === "report" || f.querySelector(".og-summary") ||
         Array.prototype.some.call(f.querySelectorAll(".og-error"), function (e) { return e.textContent.trim(); }));
    });
    return again ? "shown" : "refused";
  }
  function settleSending() {
    var mine = null;
    try { mine = sessionStorage.getItem(SENDING); sessionStorage.removeItem(SENDING); } catch (e) { /* none */ }
    return allItems().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.status === "sending"; }).map(function (item) {
        // another tab's may still be under way: left a minute before it is taken over
        var own = mine && keyOfTarget(item.url, item.kind) === mine;
        if (!own && Date.now() - Date.parse(item.savedAt) < 60000) { return null; }
        var outcome = own ? answered(item) : null;
        if (outcome === "taken" || outcome === "shown") { return deleteItem(item.id); }
        if (outcome === "refused" || outcome === "stale") {
          item.status = "refused";
          item.reason = outcome === "stale" ? WORDS.stale : reasonOf(document.documentElement.outerHTML);
          if (/^\/cases\/\d+$/.test(location.pathname)) { item.result = location.pathname; }
          return putItem(item).then(function () { note("outbox-kept", WORDS.kept, item.id); });
        }
        item.status = "pending";
        if (own && location.pathname.indexOf("/auth/login") === 0) {
          item.reason = WORDS.login; // her session had ended: sent once she is back
          return putItem(item);
        }
        item.reason = WORDS.cut;
        return putItem(item).then(function () { note("outbox-cut", WORDS.cut, item.id); });
      }));
    }).then(function () {
      document.documentElement.setAttribute("data-outbox-settled", "1"); // for the tests to wait on
      render();
      flush();
    });
  }
  function note(id, text, itemId) {
    if (document.getElementById(id)) { return; }
    var p = el("p", "flash offline-kept", text + " ");
    p.id = id;
    p.setAttribute("role", "status");
    if (!document.getElementById("outbox-list")) {
      var a = el("a", "", WORDS.outbox);
      a.href = "/offline/outbox#outbox-" + itemId;
      p.appendChild(a);
    }
    var main = document.querySelector("main");
    if (main) { main.insertBefore(p, main.firstChild); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.classList || !form.classList.contains("og-form")) { return; }
    var kind = kindOf(form);
    if (!kind) { return; }
    var fixId = fixing();
    var offline = !navigator.onLine;
    if (!offline && !fixId && !tooBig(form)) {
      if (kind === "report") { sentDraft(form); }
      // not waited for: the page stays until an answer (or the failure) comes,
      // and the copy is written long before that
      keepSending(form, kind);
      return; // the ordinary submit: the page answers as it always did
    }
    event.preventDefault();
    shrinkInputs(form).then(function () {
      if (offline || fixId) { return queue(form, kind, fixId); }
      if (kind === "report") { sentDraft(form); }
      return keepSending(form, kind).then(function () { form.submit(); });
    });
  });

  // --- the outbox page and the count in the menu ---------------------------
  // in the pack's time zone, as every page of the server says a time (the
  // phone's own zone if the browser does not know that one)
  var ZONE = meta("onegrid-timezone");
  function stamp(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    try {
      var p = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: ZONE || undefined, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
      return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
    } catch (e) {
      var two = function (n) { return ("0" + n).slice(-2); };
      return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
        two(d.getHours()) + ":" + two(d.getMinutes());
    }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function render() {
    return allItems().then(function (items) {
      items = items.filter(function (i) { return i.status !== "sending"; }); // under way, on the form's page
      var waiting = items.filter(function (i) { return i.status !== "sent"; }).length;
      var badge = document.getElementById("outbox-count");
      if (badge) { badge.textContent = String(waiting); badge.hidden = !waiting; }
      var list = document.getElementById("outbox-list");
      if (!list) { return; }
      var net = document.getElementById("outbox-net");
      if (net) {
        net.textContent = net.getAttribute(navigator.onLine ? "data-online" : "data-offline");
        net.className = "outbox-net " + (navigator.onLine ? "ok" : "overdue");
      }
      var send = document.getElementById("outbox-send");
      if (send) { send.hidden = !navigator.onLine || !items.some(function (i) { return i.status === "pending"; }); }
      document.getElementById("outbox-empty").hidden = items.length > 0;
      list.textContent = "";
      items.slice().reverse().forEach(function (item) {
        var li = el("li", "card outbox-item " + item.status);
        li.id = "outbox-" + item.id;
        li.setAttribute("data-status", item.status);
        li.setAttribute("data-kind", item.kind);
        var head = el("p", "outbox-head");
        head.appendChild(el("span", "outbox-status " + item.status, WORDS[item.status]));
        head.appendChild(el("span", "outbox-kind", WORDS[item.kind]));
        head.appendChild(el("strong", "outbox-title", item.title));
        li.appendChild(head);
        var facts = [WORDS.saved + " " + stamp(item.savedAt)];
        if (item.files.length) { facts.push(WORDS.photos.replace("{n}", item.files.length)); }
        if (item.located && item.located.at) { facts.push(WORDS.located + " " + stamp(item.located.at) + " (" + item.located.lat + ", " + item.located.lng + ")"); }
        if (item.tries && item.status !== "sent") { facts.push(WORDS.tries + " " + item.tries + " " + WORDS.times); }
        li.appendChild(el("p", "muted", facts.join(" · ")));
        if (item.reason) { li.appendChild(el("p", item.status === "refused" ? "outbox-reason error" : "outbox-reason muted", item.reason)); }
        var acts = el("p", "actions");
        if (item.result) {
          var a = el("a", "outbox-open", WORDS.open);
          a.href = item.result;
          acts.appendChild(a);
        }
        if (item.status === "refused") {
          var fix = el("a", "outbox-fix", WORDS.fix);
          fix.href = item.page + "#outbox=" + item.id;
          acts.appendChild(fix);
          var del = el("button", "link outbox-delete", WORDS.remove);
          del.type = "button";
          del.addEventListener("click", function () {
            if (window.confirm(WORDS.ask)) { deleteItem(item.id).then(render); }
          });
          acts.appendChild(del);
        }
        if (acts.childNodes.length) { li.appendChild(acts); }
        list.appendChild(li);
      });
    });
  }

  function banner() {
    var old = document.getElementById("offline-banner");
    if (navigator.onLine) { if (old) { old.remove(); } return; }
    if (old) { return; }
    var p = el("p", "flash offline-banner", WORDS.offline);
    p.id = "offline-banner";
    p.setAttribute("role", "status");
    var main = document.querySelector("main");
    if (main) { main.insertBefore(p, main.firstChild); }
  }

  // --- the service worker: keep this version's pages ------------------------
  // The worker writes what it filled the version's cache for (user, language)
  // into the cache itself; the page reads that, so it does not depend on a
  // message arriving, and asks again now and then until it is there.
  var CACHE = "onegrid-pages-" + VERSION;
  var MARK = "/offline/__filled";
  function filled(mark) {
    return caches.has(CACHE).then(function (has) {
      if (!has) { return false; }
      return caches.open(CACHE).then(function (c) { return c.match(MARK); })
        .then(function (hit) { return hit ? hit.text() : ""; })
        .then(function (text) { return text === mark; });
    });
  }
  function ask(registration, mark) {
    return fetch("/offline/pages.json", { credentials: "same-origin", headers: KEEP }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (list) {
      var worker = registration.active || navigator.serviceWorker.controller;
      if (list && worker && String(list.version) === String(VERSION)) {
        worker.postMessage({ type: "precache", version: list.version, urls: list.urls, mark: mark });
      }
    }).catch(function () {});
  }
  function precache(registration) {
    if (!USER || !VERSION || !window.caches) { return; }
    var mark = VERSION + ":" + USER + ":" + LANG;
    var polls = 0;
    function ready() { document.documentElement.setAttribute("data-offline-ready", VERSION); }
    function poll() {
      filled(mark).then(function (ok) {
        if (ok) { ready(); return; }
        if (navigator.onLine && polls % 15 === 0) { ask(registration, mark); }
        polls += 1;
        setTimeout(poll, 2000);
      });
    }
    poll();
  }

  // logging out leaves no page of hers on a shared phone (her outbox stays, sent
  // when she is back): the worker, which outlives this page, drops the kept pages;
  // the logout itself goes on at once, as it always did
  function onLogout() {
    var button = document.getElementById("logout");
    var form = button && button.form;
    if (!form) { return; }
    form.addEventListener("submit", function () {
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) { worker.postMessage({ type: "forget" }); }
    });
  }
  // sent items are kept a week, to be looked back on, then forgotten
  function prune() {
    var week = Date.now() - 7 * 24 * 3600 * 1000;
    return allItems().then(function (items) {
      return Promise.all(items.filter(function (i) {
        return i.status === "sent" && Date.parse(i.sentAt || i.savedAt) < week;
      }).map(function (i) { return deleteItem(i.id); }));
    });
  }

  function start() {
    settleDraft();
    onLogout();
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    prune().catch(function () {});
    document.querySelectorAll("form.og-form").forEach(prepare);
    var fixId = fixing();
    var reportForm = Array.prototype.find.call(document.querySelectorAll("form.og-form"), function (f) {
      return kindOf(f) === "report";
    });
    if (fixId) {
      getItem(fixId).then(function (item) {
        if (!item) { return; }
        var form = Array.prototype.find.call(document.querySelectorAll("form.og-form"), function (f) {
          return kindOf(f) === item.kind && new URL(f.action, location.href).pathname === new URL(item.url, location.href).pathname;
        });
        if (!form) { return; }
        fill(form, item.fields.filter(function (f) { return f[0] !== "csrf_token" && f[0] !== "_policy_version" && f[0] !== "once"; }));
        form.querySelectorAll("input[type=file]").forEach(function (input) {
          var mine = item.files.filter(function (f) { return f.name === input.name && f.blob; });
          if (!mine.length) { return; }
          var dt = new DataTransfer();
          mine.forEach(function (f) { dt.items.add(new File([f.blob], f.filename || "photo", { type: f.type })); });
          input.files = dt.files;
          input.required = false;
        });
        var details = form.closest("details");
        while (details) { details.open = true; details = details.parentElement.closest("details"); }
        var note = el("p", "flash offline-fixing", WORDS.fixing.replace("{n}", item.id));
        note.id = "outbox-fixing";
        form.parentNode.insertBefore(note, form);
        form.scrollIntoView();
      });
    } else if (reportForm) {
      restoreDraft(reportForm);
    }
    banner();
    settleSending().catch(function () {});
    // back to the form page from the browser's error page, restored from its cache
    window.addEventListener("pageshow", function (e) { if (e.persisted) { settleSending().catch(function () {}); } });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(precache).catch(function () {});
    }
    var send = document.getElementById("outbox-send");
    if (send) { send.addEventListener("click", flush); }
    window.addEventListener("online", function () { banner(); flush(); });
    window.addEventListener("offline", function () { banner(); render(); });
    // navigator.onLine can say online without a network: try again now and then
    setInterval(function () { if (navigator.onLine) { flush(); } }, 15000);
    flush();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
