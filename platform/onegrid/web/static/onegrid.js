// onegrid staff pages: small behaviours, no inline handlers (the CSP forbids them).
(function () {
  "use strict";
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
})();
