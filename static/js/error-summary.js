/* A form sent back with mistakes: the summary at its top takes the focus, so a
   screen reader reads it and a phone shows it; each link puts the cursor in its
   field with the field's label in view. Without this file the summary is still
   the first thing on the page and its links still jump to the fields. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var group = field.closest("div") || field;
    group.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
