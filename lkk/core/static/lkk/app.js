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
  // The text of a cell without what is hidden from screen readers (e.g. a sort arrow).
  function spokenText(node) {
    var text = "";
    Array.prototype.forEach.call(node.childNodes, function (child) {
      if (child.nodeType === Node.TEXT_NODE) text += child.textContent;
      else if (child.nodeType === Node.ELEMENT_NODE && child.getAttribute("aria-hidden") !== "true") {
        text += spokenText(child);
      }
    });
    return text;
  }
  // Below 576 px a table is shown as cards of "column: value" lines (app.css): each cell gets
  // its column's name from the table's head as data-label.
  function setupTableCards() {
    document.querySelectorAll("table.table").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        var name = spokenText(cell).replace(/\s+/g, " ").trim();
        for (var i = 0; i < cell.colSpan; i += 1) names.push(name);
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (cell.colSpan === 1 && names[column]) cell.setAttribute("data-label", names[column]);
            column += cell.colSpan;
          });
        });
      });
    });
  }
  // A table wider than its box scrolls inside it; the box then takes the keyboard focus, so that
  // it can be scrolled without a mouse (WCAG 2.1.1). A box that does not scroll is no tab stop.
  function setupScrollBoxes() {
    var boxes = document.querySelectorAll(".table-responsive");
    function update() {
      boxes.forEach(function (box) {
        if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
        else box.removeAttribute("tabindex");
      });
    }
    if (!boxes.length) return;
    update();
    window.addEventListener("resize", update);
  }
  document.addEventListener("DOMContentLoaded", function () {
    setupTableCards();
    setupScrollBoxes();
    setupPasswordToggles();
    setupSubmitOnce();
    setupCaptchaRefresh();
    setupCountdowns();
  });
})();
