/* After a boosted form's answer replaces the page, keyboard and screen-reader users land on
   what needs them: the first field marked wrong, else the first message. Without this the
   focus stays on a button that no longer exists and nothing is announced. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("input.is-invalid, select.is-invalid, textarea.is-invalid") ||
      document.querySelector("#edit-conflict, #messages [role=alert]");
    if (!target) { return; }
    if (!target.matches("input, select, textarea, button, a")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  });
})();
