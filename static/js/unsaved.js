/* Leaving a step with unsaved typing asks first. A form marked data-unsaved-guard (the
   wizard's step form) remembers what it held when the page was shown; a link clicked, an
   htmx request from outside the form, or closing / reloading the page while it holds
   something else asks, in the form's own words (the attribute's value). Saving the form
   never asks. A page shown again after a refused save (data-unsaved-on-load) holds input
   that is not saved yet, so it counts as changed from the start. No dependencies. */
(function () {
  "use strict";

  function state(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "lock_version") { return; }
      parts.push(name + "=" + (typeof value === "string" ? value : value.name + ":" + value.size));
    });
    return parts.join("&");
  }

  function guarded() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-guard]"));
  }

  function remember(root) {
    guarded().forEach(function (form) {
      if (!root.contains(form) && root !== document) { return; }
      form.__shown = form.hasAttribute("data-unsaved-on-load") ? null : state(form);
    });
  }

  var leaving = false;  // the user chose to save or to leave: ask no more

  function changedForm(exceptInside) {
    if (leaving) { return null; }
    return guarded().find(function (form) {
      if (exceptInside && form.contains(exceptInside)) { return false; }
      return form.__shown === null || form.__shown !== state(form);
    }) || null;
  }

  function mayLeave(from) {
    var form = changedForm(from);
    if (!form) { return true; }
    if (window.confirm(form.getAttribute("data-unsaved-guard"))) {
      leaving = true;
      return true;
    }
    return false;
  }

  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-unsaved-guard")) {
      leaving = true;
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.target === "_blank" || link.hasAttribute("download")) { return; }
    if (link.getAttribute("href").charAt(0) === "#") { return; }
    if (!mayLeave(link)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* A boosted link or any htmx request started outside the guarded form (its own
     submit is a save). */
  document.addEventListener("htmx:confirm", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.closest && source.closest("form[data-unsaved-guard]")) { return; }
    if (source && source.closest && source.closest("a[href]")) { return; }  // asked on click
    if (!mayLeave(source)) { event.preventDefault(); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (changedForm(null)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () { remember(document); });
  document.addEventListener("htmx:load", function (event) {
    leaving = false;
    remember(event.target);
  });
})();
