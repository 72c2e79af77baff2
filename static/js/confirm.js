/* A confirmation before a form whose action cannot be undone by its user (submitting for
   review makes the content read-only). The question is the form's data-confirm text. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
