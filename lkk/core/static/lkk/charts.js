// LKK charts. Loaded as a file after vendor/chartjs/chart.umd.min.js: the CSP forbids inline
// scripts. Every <canvas data-chart="ID"> is drawn from the JSON data block with that id
// (Django's json_script): {type, unit, labels: [...], datasets: [{label, data: [...]}]}.
(function () {
  "use strict";
  // Bootstrap's blue, green, orange, purple, pink: distinguishable, and the same on every page.
  var PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384"];

  function readData(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(canvas) {
    var data = readData(canvas);
    if (!data || !Array.isArray(data.labels) || !Array.isArray(data.datasets)) return;
    var locale = document.documentElement.lang || undefined;
    var unit = data.unit || "";
    var stacked = data.datasets.length > 1;
    var narrow = window.matchMedia("(max-width: 575.98px)").matches;
    var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
    new window.Chart(canvas, {
      type: data.type || "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          var color = PALETTE[i % PALETTE.length];
          return { label: set.label, data: set.data, backgroundColor: color, borderColor: color };
        })
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: narrow ? 1.2 : 3,
        animation: still ? false : undefined,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked: stacked, beginAtZero: true, title: { display: !!unit, text: unit } }
        },
        plugins: {
          legend: { display: stacked, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + number.format(item.parsed.y) + " " + unit;
              },
              footer: function (items) {
                if (items.length < 2) return "";
                var sum = items.reduce(function (total, item) { return total + (item.parsed.y || 0); }, 0);
                return "Σ " + number.format(sum) + " " + unit;
              }
            }
          }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart !== "function") return;
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
