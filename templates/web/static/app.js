// fundflow workbench: progressive enhancement only. Every page works without this file.
// 1. Drag and drop onto the upload box fills its file input (the button still works); a
//    dropped folder is walked (DataTransferItem.webkitGetAsEntry) and its files sent with
//    their folder paths as names, as the folder chooser sends them.
// 2. The error summary takes keyboard focus, as the GOV.UK Design System advises.
(function () {
  "use strict";
  // A dropped folder: every file under it, read through the entries API, with its path.
  function walk(entry, out) {
    if (entry.isFile) {
      return new Promise(function (done) {
        entry.file(function (file) { out.push([entry.fullPath.replace(/^\//, ""), file]); done(); },
                   function () { done(); });
      });
    }
    if (!entry.isDirectory) { return Promise.resolve(); }
    var reader = entry.createReader();
    return new Promise(function (done) {
      var found = [];
      (function more() {
        reader.readEntries(function (batch) {
          if (!batch.length) {
            Promise.all(found.map(function (e) { return walk(e, out); })).then(done);
            return;
          }
          found = found.concat(Array.prototype.slice.call(batch));
          more();
        }, function () { done(); });
      })();
    });
  }
  // Send the collected files as the form would (the token first), then follow to the run.
  function send(form, files) {
    var data = new FormData();
    data.append("csrf", form.querySelector("input[name=csrf]").value);
    files.forEach(function (pair) { data.append("files", pair[1], pair[0]); });
    form.classList.add("sending");
    fetch(form.getAttribute("action"), { method: "POST", body: data })
      .then(function (r) {
        if (r.redirected) { window.location.assign(r.url); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        document.open();
        document.write(html);
        document.close();
      });
  }
  document.querySelectorAll("[data-drop]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var form = zone.closest("form");
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
      var transfer = event.dataTransfer;
      if (!transfer) { return; }
      var items = Array.prototype.slice.call(transfer.items || []);
      var entries = items.map(function (item) {
        return item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
      }).filter(function (entry) { return entry; });
      if (entries.some(function (entry) { return entry.isDirectory; })) {
        var out = [];
        Promise.all(entries.map(function (entry) { return walk(entry, out); }))
          .then(function () { send(form, out); });
      } else if (transfer.files.length) {
        input.files = transfer.files;
        form.requestSubmit();
      }
    });
  });
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
})();
// 3. The Unknown layout page previews the adapter as it is edited, in the form or in its YAML:
//    the whole form is posted as the Preview button posts it, and the server's (escaped) answer
//    replaces the preview, the form's inputs and the YAML. The input being typed in keeps its
//    text, focus and caret.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  if (!form) { return; }
  var timer = null;
  var sent = 0;
  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var active = document.activeElement;
    var name = active && form.contains(active) ? active.getAttribute("name") : null;
    var keep = name && "value" in active ? active.value : null;
    var caret = null;
    try { caret = [active.selectionStart, active.selectionEnd]; } catch (e) { caret = null; }
    ["preview", "form-fields"].forEach(function (id) {
      var old = document.getElementById(id);
      var fresh = next.getElementById(id);
      if (old && fresh && !(id === "form-fields" && name === "spec")) { old.replaceWith(fresh); }
    });
    var spec = document.getElementById("spec");
    var yaml = next.getElementById("spec-next");
    if (spec && yaml && name !== "spec" && spec.value !== yaml.value) { spec.value = yaml.value; }
    ["base", "shown"].forEach(function (id) {
      var fresh = next.getElementById(id + "-next");
      if (fresh) { document.getElementById(id).value = fresh.value; }
    });
    if (name && name !== "spec") {
      var again = form.querySelector("[name='" + CSS.escape(name) + "']:not([type=hidden])");
      if (again) {
        if (keep !== null && again.tagName !== "SELECT") { again.value = keep; }
        again.focus();
        if (caret && caret[0] !== null && again.setSelectionRange) {
          try { again.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text box */ }
        }
      }
    }
  }
  function post() {
    var data = new FormData(form);
    data.set("action", "preview");
    var mine = ++sent;
    fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data),
                         headers: { "X-Fragment": "preview" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { if (mine === sent) { swap(html); } });
  }
  function later() { clearTimeout(timer); timer = setTimeout(post, 600); }
  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { later(); }
  });
})();
// 4. While an upload is imported its page follows the importer's progress (server-sent events):
//    the step, the files done and the records checked; at the end it shows the results. Without
//    this script the page reloads itself each second instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-events]");
  if (!box || !window.EventSource) { return; }
  var source = new EventSource(box.getAttribute("data-events"));
  var step = box.querySelector("[data-step]");
  var bar = box.querySelector("[data-files]");
  var records = box.querySelector("[data-records]");
  source.addEventListener("progress", function (event) {
    var now = JSON.parse(event.data);
    step.textContent = now.step;
    bar.max = now.files;
    bar.value = now.files_done;
    bar.textContent = now.files_done + " of " + now.files;
    records.textContent = now.records ? now.records.toLocaleString("en-GB") +
      " records checked in this file." : "";
  });
  source.addEventListener("end", function (event) {
    source.close();
    step.textContent = JSON.parse(event.data).message;
    window.location.reload();
  });
  source.onerror = function () {  // the stream broke: fall back to reloading
    source.close();
    setTimeout(function () { window.location.reload(); }, 1000);
  };
})();
