/* Progressive enhancement for editable rows (contacts, risk points, records): ↑ ↓ buttons
   that move a row and renumber the position fields, dimming of rows marked for removal, and
   adding a row in the page — a clone of the formset's empty row, the management form's
   TOTAL_FORMS counted up — instead of a round trip to the server. Without JavaScript the
   position numbers, the remove checkbox and the add button (a save that returns one more
   row) do the same job. */
(function () {
  "use strict";

  function renumber(container) {
    container.querySelectorAll(":scope > [data-row]").forEach(function (row, index) {
      var input = row.querySelector("[data-order] input");
      if (input) { input.value = index + 1; }
    });
  }

  function enhanceRow(container, row) {
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
  }

  function addRow(container, template, button) {
    var prefix = container.dataset.prefix;
    var total = container.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var index = parseInt(total.value, 10) || 0;
    var max = parseInt(container.dataset.max, 10);
    if (!isNaN(max) && index >= max) { return; }
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    var empty = container.querySelector("[data-no-rows]");
    if (empty) { empty.remove(); }
    template.before(row);
    total.value = String(index + 1);
    enhanceRow(container, row);
    renumber(container);
    if (!isNaN(max) && index + 1 >= max) { button.disabled = true; }
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); }
  }

  function enhance(root) {
    root.querySelectorAll("[data-rows]").forEach(function (container) {
      if (container.dataset.enhanced) { return; }
      container.dataset.enhanced = "1";
      container.querySelectorAll(":scope > [data-row]").forEach(function (row) {
        enhanceRow(container, row);
      });
      renumber(container);
      var template = container.querySelector(":scope > template[data-empty-row]");
      var button = container.querySelector(":scope > [data-add-row]");
      if (template && button) {
        button.type = "button";  // no save and no round trip: the row is added here
        button.addEventListener("click", function () { addRow(container, template, button); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
