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
// 3. The Unknown layout page previews the adapter as it is edited: the form is posted as it
//    is by the Preview button, and the server's (escaped) preview replaces the old one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  if (!form) { return; }
  var timer = null;
  form.querySelector("textarea").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      data.set("action", "preview");
      fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data),
                           headers: { "X-Fragment": "preview" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var old = document.getElementById("preview");
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
          if (old && next) { old.replaceWith(next); }
        });
    }, 700);
  });
})();
