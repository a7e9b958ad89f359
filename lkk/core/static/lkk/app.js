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
        var icon = button.querySelector(".bi");
        if (icon) {
          icon.classList.toggle("bi-eye", !show);
          icon.classList.toggle("bi-eye-slash", show);
        }
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
  // «Другой код»: a new captcha from the refresh endpoint, without reloading the form (the link
  // itself reloads the page when scripts are off).
  function setupCaptchaRefresh() {
    document.querySelectorAll("[data-captcha-refresh]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var box = link.closest("[data-captcha]");
        if (!box || !window.fetch) return;
        event.preventDefault();
        window.fetch(link.getAttribute("data-captcha-refresh"), {
          headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
          credentials: "same-origin"
        }).then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        }).then(function (data) {
          box.querySelector("[data-captcha-image]").src = data.image_url;
          box.querySelector("input[type=hidden]").value = data.key;
          var answer = box.querySelector("input[type=text]");
          answer.value = "";
          answer.focus();
        }).catch(function () { window.location.assign(window.location.href); });
      });
    });
  }
  // «Новый код можно запросить через N с.»: the server renders the (translated) text with N; here
  // N counts down every second, and the form's resend button stays disabled until 0.
  function setupCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (hint) {
      var left = parseInt(hint.getAttribute("data-countdown"), 10);
      var form = hint.closest("form");
      var button = form && form.querySelector("[data-countdown-button]");
      var text = hint.textContent;
      if (!(left > 0)) return;
      if (button) button.disabled = true;
      var timer = window.setInterval(function () {
        left -= 1;
        if (left > 0) {
          hint.textContent = text.replace(/\d+/, String(left));
          return;
        }
        window.clearInterval(timer);
        hint.hidden = true;
        if (button) {
          button.disabled = false;
          button.removeAttribute("aria-describedby");
        }
      }, 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    setupPasswordToggles();
    setupSubmitOnce();
    setupCaptchaRefresh();
    setupCountdowns();
  });
})();
