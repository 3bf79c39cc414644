// onegrid staff pages: small behaviours, no inline handlers (the CSP forbids them).
// Every page works without this file; it only helps (issue 14 point 4).
(function () {
  "use strict";

  // words the server put on the page (zh or en), with {name} slots filled in
  function say(el, key, params) {
    var text = (el && el.getAttribute("data-" + key)) || "";
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(params[k]));
    });
    return text;
  }
  function words() {
    return document.querySelector("main");
  }

  // destructive actions (不予受理, 退回, 删除) ask first
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var ask = form.getAttribute && form.getAttribute("data-confirm");
    if (!ask) {
      var card = form.closest && form.closest("[data-confirm]");
      ask = card && card.getAttribute("data-confirm");
    }
    if (ask && !window.confirm(ask)) {
      event.preventDefault();
    }
  }, true);

  // --- the matter picker: type to find among the grouped matters -------------
  function picker() {
    var box = document.getElementById("matter-picker");
    var select = document.getElementById("matter");
    if (!box || !select) return;
    var input = document.getElementById("matter-search");
    var hits = document.getElementById("matter-hits");
    var options = Array.prototype.slice.call(select.options);
    var shown = [];
    var MOST = 20;
    box.hidden = false;

    function choose(option) {
      select.value = option.value;
      var form = select.form;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
    function render() {
      var terms = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      hits.textContent = "";
      shown = [];
      if (!terms.length) return;
      var found = options.filter(function (o) {
        var text = (o.getAttribute("data-search") || "") + " " + o.text.toLowerCase();
        return terms.every(function (t) { return text.indexOf(t) >= 0; });
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = say(box, "none", {q: input.value.trim()});
        hits.appendChild(none);
        return;
      }
      found.slice(0, MOST).forEach(function (o) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "hit";
        button.setAttribute("data-matter", o.value);
        var name = document.createElement("span");
        name.textContent = o.text;
        var group = document.createElement("span");
        group.className = "muted";
        group.textContent = o.getAttribute("data-group") || "";
        button.appendChild(name);
        button.appendChild(group);
        button.addEventListener("click", function () { choose(o); });
        li.appendChild(button);
        hits.appendChild(li);
        shown.push(o);
      });
      if (found.length > MOST) {
        var more = document.createElement("li");
        more.className = "muted";
        more.textContent = say(box, "more", {n: found.length - MOST});
        hits.appendChild(more);
      }
    }
    input.addEventListener("input", render);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter takes the first hit, not the select's value
        if (shown.length) choose(shown[0]);
      }
    });
  }

  // --- counters where a field has a most number of characters ----------------
  // (no maxlength attribute: a browser would cut a paste silently)
  function counters() {
    var fields = document.querySelectorAll("[data-maxlength]");
    Array.prototype.forEach.call(fields, function (el) {
      var max = parseInt(el.getAttribute("data-maxlength"), 10);
      if (!max) return;
      var name = "";
      var wrap = el.closest(".og-field");
      if (wrap) {
        var l = wrap.querySelector("label, legend");
        name = l ? l.firstChild.textContent.trim() : "";
      }
      var out = document.createElement("p");
      out.className = "og-count";
      out.id = el.id + "-count";
      out.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", out);
      function update() {
        var n = Array.from(el.value.replace(/\r\n/g, "\n").trim()).length;
        var over = n - max;
        out.textContent = say(words(), "count", {n: n, max: max});
        if (over > 0) {
          var msg = say(words(), "over", {over: over, field: name, max: max});
          out.textContent += " · " + msg;
          out.classList.add("over");
          el.setCustomValidity(msg);
        } else {
          out.classList.remove("over");
          el.setCustomValidity("");
        }
      }
      el.addEventListener("input", update);
      update();
    });
  }

  // --- photos: preview, and the pack's limits checked before uploading ---------
  var TYPES = ["image/jpeg", "image/png", "image/webp"];
  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }
  function photos() {
    var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var most = parseInt(input.getAttribute("data-max-items"), 10) || 0;
      var kept = parseInt(input.getAttribute("data-kept"), 10) || 0;
      var preview = document.createElement("div");
      preview.className = "og-preview";
      var note = document.createElement("p");
      note.className = "og-error og-photo-check";
      note.id = input.id + "-check";
      note.setAttribute("role", "alert");
      note.hidden = true;
      input.insertAdjacentElement("afterend", preview);
      preview.insertAdjacentElement("afterend", note);
      input.addEventListener("change", function () {
        var problems = [];
        var notes = [];
        preview.textContent = "";
        Array.prototype.forEach.call(input.files, function (file) {
          if (TYPES.indexOf(file.type) < 0) {
            problems.push(say(words(), "photo-type", {name: file.name}));
          } else if (max && file.size > max) {
            // said, not refused: offline.js shrinks a photo to the limit as the form is
            // sent, and the server refuses one still too large on its field, answers kept
            notes.push(say(words(), "photo-size", {
              name: file.name, size: size(file.size), max: input.getAttribute("data-max-size")
            }));
          }
          if (TYPES.indexOf(file.type) >= 0) {
            var img = document.createElement("img");
            img.className = "photo";
            img.alt = file.name;
            img.src = URL.createObjectURL(file);
            img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
            preview.appendChild(img);
          }
        });
        if (most && input.files.length + kept > most) {
          problems.push(say(words(), "photo-many", {max: most, n: input.files.length + kept}));
        }
        note.textContent = problems.concat(notes).join("；");
        note.hidden = !problems.length && !notes.length;
        input.setCustomValidity(problems.join("; "));
        if (problems.length) input.reportValidity();
      });
    });
  }

  // --- "use my location": the browser's own position, no map tiles -----------
  function locate() {
    var report = document.getElementById("report");
    if (!report || !navigator.geolocation) return;
    var boxes = report.querySelectorAll(".og-coords");
    Array.prototype.forEach.call(boxes, function (box) {
      var lat = box.querySelector("input[name$='[lat]']");
      var lng = box.querySelector("input[name$='[lng]']");
      // the position's own time goes with the report (and its outbox copy);
      // coordinates typed by hand are not a position taken then
      var at = box.querySelector("input[name$='[at]']");
      if (!lat || !lng) return;
      [lat, lng].forEach(function (input) {
        input.addEventListener("input", function () { if (at) at.value = ""; });
      });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "locate";
      button.id = lat.id.replace(/-lat$/, "") + "-locate";
      button.textContent = say(report, "locate");
      var status = document.createElement("p");
      status.className = "og-help";
      status.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", button);
      button.insertAdjacentElement("afterend", status);
      function inside(input, value) {
        var lo = parseFloat(input.min), hi = parseFloat(input.max);
        return !(value < lo || value > hi);
      }
      button.addEventListener("click", function () {
        status.textContent = say(report, "locating");
        navigator.geolocation.getCurrentPosition(function (pos) {
          var y = Number(pos.coords.latitude.toFixed(6)), x = Number(pos.coords.longitude.toFixed(6));
          if (!inside(lat, y) || !inside(lng, x)) {
            status.textContent = say(report, "outside", {lat: y, lng: x});
            return;
          }
          lat.value = y;
          lng.value = x;
          if (at) at.value = new Date(pos.timestamp || Date.now()).toISOString();
          lat.dispatchEvent(new Event("change", {bubbles: true}));  // the draft keeps it
          status.textContent = say(report, "located", {m: Math.round(pos.coords.accuracy || 0)});
        }, function (err) {
          var why = err.code === 1 ? say(report, "denied") : (err.message || String(err.code));
          status.textContent = say(report, "unlocated", {why: why});
        }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
      });
    });
  }

  // --- the inbox says when work arrived: its counts polled every minute ------
  function fresh() {
    var box = document.getElementById("fresh");
    if (!box || !window.fetch) return;
    var every = (parseInt(box.getAttribute("data-every"), 10) || 60) * 1000;
    function shown() {
      var out = {};
      Array.prototype.forEach.call(document.querySelectorAll("#tabs a[data-tab]"), function (a) {
        var span = a.querySelector(".count");
        out[a.getAttribute("data-tab")] = {
          n: parseInt(span.getAttribute("data-count"), 10), name: a.firstChild.textContent.trim()
        };
      });
      return out;
    }
    var before = shown();
    function poll() {
      fetch(box.getAttribute("data-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var badge = document.getElementById("unread");
          if (badge && data.unread) badge.textContent = data.unread;
          var changed = Object.keys(before).filter(function (k) {
            return data.counts[k] !== undefined && data.counts[k] !== before[k].n;
          }).map(function (k) { return before[k].name + " " + before[k].n + " → " + data.counts[k]; });
          if (!changed.length) return;
          box.textContent = say(box, "words", {what: changed.join(document.documentElement.lang === "en" ? ", " : "，")}) + " ";
          var link = document.createElement("a");
          link.href = location.href;
          link.id = "fresh-reload";
          link.textContent = box.getAttribute("data-reload");
          box.appendChild(link);
          box.hidden = false;
        })
        .catch(function () { /* offline: try again next time */ });
    }
    window.setInterval(poll, every);
  }

  function start() {
    fresh();
    picker();
    counters();
    photos();
    locate();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
