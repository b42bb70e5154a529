// hipcheck web: small progressive enhancements. The pages work without this file.
(function () {
  "use strict";

  // Chart marks: show their numbers on hover, keyboard focus or tap.
  function chartDetails(root) {
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      var card = box.closest(".card");
      var detail = card ? card.querySelector("[data-chart-detail]") : null;
      var tip = document.createElement("div");
      tip.className = "tip";
      tip.hidden = true;
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
      function show(el, x, y) {
        var text = el.getAttribute("data-tip");
        if (!text) return;
        if (detail) detail.textContent = text;
        tip.textContent = text;
        tip.hidden = false;
        var r = el.getBoundingClientRect();
        var left = (x !== undefined ? x : r.left + r.width / 2) + 12;
        var top = (y !== undefined ? y : r.top) - 10 - tip.offsetHeight;
        tip.style.left = Math.min(left, window.innerWidth - tip.offsetWidth - 8) + "px";
        tip.style.top = Math.max(8, top) + "px";
      }
      function hide() { tip.hidden = true; }
      box.addEventListener("mousemove", function (e) {
        var el = e.target.closest("[data-tip]");
        if (el) show(el, e.clientX, e.clientY); else hide();
      });
      box.addEventListener("mouseleave", hide);
      box.addEventListener("focusin", function (e) {
        var el = e.target.closest("[data-tip]");
        if (el) show(el);
      });
      box.addEventListener("focusout", hide);
      box.addEventListener("click", function (e) {
        var el = e.target.closest("[data-tip]");
        if (el) show(el, e.clientX, e.clientY);
      });
    });
  }

  // File inputs: say what was chosen.
  function fileSummaries(root) {
    root.querySelectorAll("input[type=file]").forEach(function (input) {
      var out = input.parentElement.querySelector("[data-file-summary]");
      if (!out || input.dataset.ready) return;
      input.dataset.ready = "1";
      input.addEventListener("change", function () {
        var n = input.files.length, bytes = 0;
        for (var i = 0; i < n; i++) bytes += input.files[i].size;
        out.textContent = n ? n + " file" + (n === 1 ? "" : "s") + " chosen, " + (bytes / 1048576).toFixed(1) + " MB" : "";
      });
    });
  }

  // Uploads: send with XMLHttpRequest to show progress, then follow the server's redirect.
  function uploads(root) {
    root.querySelectorAll("form[data-upload]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("submit", function (e) {
        if (!window.FormData || !form.checkValidity()) return;
        e.preventDefault();
        var bar = form.querySelector("[data-upload-progress]");
        var button = form.querySelector("button[type=submit]");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        var token = form.querySelector("input[name=csrf_token]");
        if (token) xhr.setRequestHeader("X-CSRF-Token", token.value);
        xhr.upload.addEventListener("progress", function (ev) {
          if (bar && ev.lengthComputable) { bar.hidden = false; bar.value = Math.round(ev.loaded / ev.total * 100); }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL && xhr.responseURL !== form.action) {
            window.location.assign(xhr.responseURL);
          } else {
            document.open(); document.write(xhr.responseText); document.close();
          }
        });
        xhr.addEventListener("error", function () {
          if (button) button.disabled = false;
          alert("The upload failed: check your connection and try again.");
        });
        if (button) button.disabled = true;
        xhr.send(new FormData(form));
      });
    });
  }

  function selectOnFocus(root) {
    root.querySelectorAll("[data-select-on-focus]").forEach(function (el) {
      el.addEventListener("focus", function () { el.select(); });
    });
  }

  function init(root) { chartDetails(root); fileSummaries(root); uploads(root); selectOnFocus(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
