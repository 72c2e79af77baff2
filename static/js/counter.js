/* Character counters for every text field with a limit. The limit is the one the form, the
   model and the database enforce (it arrives as the field's maxlength). The browser's own
   maxlength would cut a long paste silently, so it is replaced by a visible count that turns
   red past the limit; the server then refuses the text with a message beside the field.
   Line breaks count once, as the server counts them. */
(function () {
  "use strict";

  function format(template, count, limit) {
    return template.replace("{count}", count).replace("{limit}", limit)
      .replace("{over}", count - limit);
  }

  function enhance(root) {
    var texts = document.body.dataset;
    root.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (field) {
      if (field.dataset.counted) { return; }
      var limit = parseInt(field.getAttribute("maxlength"), 10);
      if (!limit || limit < 200) { return; }  // short fields (names, phones) need no counter
      field.dataset.counted = "1";
      field.removeAttribute("maxlength");
      var counter = document.createElement("div");
      counter.className = "form-text char-counter";
      counter.id = field.id + "-counter";
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      field.after(counter);
      function update() {
        var count = field.value.length;
        var over = count > limit;
        counter.textContent = format(over ? texts.counterOver : texts.counterText, count, limit);
        counter.classList.toggle("text-danger", over);
        counter.classList.toggle("fw-semibold", over);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
