// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // A refusal comes back as a 4xx that core/middleware.py points at the alert region with
  // HX-Retarget; htmx leaves error responses unswapped unless told otherwise.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After an HTMX swap, move focus to the first alert so screen readers hear the outcome.
  document.addEventListener("htmx:afterSwap", function (event) {
    var alert = event.detail.target.querySelector("[role=alert], [role=status]");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  });
})();
