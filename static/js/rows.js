/* Progressive enhancement for editable rows (contacts, risk points): ↑ ↓ buttons that move a
   row and renumber the position fields, and dimming of rows marked for removal. Without
   JavaScript the position numbers and the remove checkbox do the same job. */
(function () {
  "use strict";

  function renumber(container) {
    container.querySelectorAll("[data-row]").forEach(function (row, index) {
      var input = row.querySelector("[data-order] input");
      if (input) { input.value = index + 1; }
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-rows]").forEach(function (container) {
      if (container.dataset.enhanced) { return; }
      container.dataset.enhanced = "1";
      container.querySelectorAll("[data-row]").forEach(function (row) {
        var controls = row.querySelector(".row-controls");
        var order = row.querySelector("[data-order]");
        if (order) { order.classList.add("d-none"); }
        [["↓", 1, container.dataset.labelDown], ["↑", -1, container.dataset.labelUp]].forEach(function (spec) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-sm btn-outline-secondary";
          button.textContent = spec[0];
          button.setAttribute("aria-label", spec[2]);
          button.addEventListener("click", function () {
            var sibling = spec[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
            if (!sibling || !sibling.hasAttribute("data-row")) { return; }
            if (spec[1] < 0) { sibling.before(row); } else { sibling.after(row); }
            renumber(container);
            button.focus();
          });
          controls.prepend(button);
        });
        var remove = row.querySelector("[data-delete]");
        if (remove) {
          remove.addEventListener("change", function () {
            row.classList.toggle("is-removed", remove.checked);
          });
        }
      });
      renumber(container);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
