/* Live conditions: show a field only when its `data-show-when` holds, and
   disable its inputs while hidden so they are not sent; mark inputs
   required while `data-require-when` holds (or while a field required when
   shown is shown). The server checks the same conditions again; without
   this script every field shows, with a note saying when it applies. */
(function () {
  "use strict";
  function valuesOf(form, name) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name && el.name !== name + "[text]") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.disabled || el.value === "") { return; }
      out.push(el.value);
    });
    return out;
  }
  function same(a, b) {
    if (typeof b === "boolean") { return a === (b ? "yes" : "no"); }
    return a === String(b);
  }
  function holds(form, cond) {
    var vals = valuesOf(form, cond.field);
    if ("filled" in cond) { return (vals.length > 0) === cond.filled; }
    var wanted = "in" in cond ? cond["in"] : [cond.equals];
    return vals.some(function (v) { return wanted.some(function (w) { return same(v, w); }); });
  }
  function requireInputs(box, on) {
    box.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type !== "checkbox" && el.type !== "hidden" && el.type !== "file") { el.required = on; }
    });
  }
  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (box) {
      var show = holds(form, JSON.parse(box.getAttribute("data-show-when")));
      box.hidden = !show;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      if (box.hasAttribute("data-required")) { requireInputs(box, show); }
    });
    form.querySelectorAll("[data-require-when]").forEach(function (box) {
      requireInputs(box, holds(form, JSON.parse(box.getAttribute("data-require-when"))));
    });
  }
  document.querySelectorAll("form.og-form").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
