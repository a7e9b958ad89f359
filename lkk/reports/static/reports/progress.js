// «Мои отчёты»: moves each report's progress bar by polling its status (CSP: no inline script),
// and reloads the page once a report is done or failed, to show its links or retry button.
(function () {
  "use strict";
  function paint(box, state) {
    var bar = box.querySelector("[data-progress-bar]");
    var holder = box.querySelector("[role=progressbar]");
    var label = box.querySelector("[data-progress-label]");
    var width = Math.max(0, Math.min(100, parseInt(state.progress, 10) || 0));
    if (bar) { bar.style.width = width + "%"; bar.textContent = width + " %"; }
    if (holder) holder.setAttribute("aria-valuenow", String(width));
    if (label && state.label) label.textContent = state.label;
  }
  function poll(box) {
    var url = box.getAttribute("data-report-status");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        // A refused or failed poll (a busy server, a restart) is tried again a little later.
        if (!state) { window.setTimeout(function () { poll(box); }, 3000); return; }
        paint(box, state);
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(box); }, 1000);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll("[data-report-status]").forEach(function (box) {
    var bar = box.querySelector("[data-progress-bar]");
    if (bar) bar.style.width = (parseInt(bar.getAttribute("data-width"), 10) || 0) + "%";
    var status = box.getAttribute("data-status");
    if (status === "queued" || status === "running") poll(box);
  });
})();
