// fundflow workbench: progressive enhancement only. Every page works without this file.
// 1. Drag and drop onto the upload box fills its file input (the button still works).
// 2. The error summary takes keyboard focus, as the GOV.UK Design System advises.
(function () {
  "use strict";
  document.querySelectorAll("[data-drop]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        zone.closest("form").requestSubmit();
      }
    });
  });
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
})();
