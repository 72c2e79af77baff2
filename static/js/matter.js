/* The project step shows the facts of the chosen kind of matter (工程项目, 政策 …): each fact's
   field names its kinds in data-matter-kinds. Hidden facts keep their values and are sent
   with the form, so changing the kind loses nothing. Without script every fact is shown. */
(function () {
  "use strict";
  function update() {
    var kind = document.querySelector("select[name=matter_kind]");
    if (!kind) { return; }
    document.querySelectorAll("[data-matter-kinds]").forEach(function (field) {
      var wrapper = field.closest("[id^=div_id_]") || field;
      var kinds = field.getAttribute("data-matter-kinds").split(" ");
      wrapper.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  if (window.matterKindsReady) { update(); return; }
  window.matterKindsReady = true;
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=matter_kind]")) { update(); }
  });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
  update();
})();
