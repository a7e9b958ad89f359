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
  document.addEventListener("DOMContentLoaded", setupPasswordToggles);
})();
