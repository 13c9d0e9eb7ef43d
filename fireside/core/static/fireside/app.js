// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // After an HTMX swap, move focus to the first alert so screen readers hear the outcome.
  document.addEventListener("htmx:afterSwap", function (event) {
    var alert = event.detail.target.querySelector("[role=alert], [role=status]");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  });
})();
