// LKK page behaviour. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";
  function setupPasswordToggles() {
    document.querySelectorAll("[data-toggle-password]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-toggle-password"));
        if (!input) return;
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.setAttribute("aria-pressed", show ? "true" : "false");
      });
    });
  }
  // A second click on a form's submit button while the first request is on its way does
  // nothing (the server's one-time token makes it harmless anyway).
  function setupSubmitOnce() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[data-once]").forEach(function (button) {
          window.setTimeout(function () { button.disabled = true; }, 0);
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    setupPasswordToggles();
    setupSubmitOnce();
  });
})();
