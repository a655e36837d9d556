/* Monitoring dashboard: draws a chart beside each server-rendered table, from the numbers in
   that table (data-value on each count cell). Nothing is fetched and nothing polled: the page
   shows a closed period, whose figures never change. Protected cells ("·") leave a gap in the
   chart; an unanswered table has neither table nor chart. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || typeof Chart === "undefined") { return; }

  function drawChart(panel) {
    var canvas = panel.querySelector("canvas");
    var table = panel.querySelector("table");
    if (!canvas || !table) { return; }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (row) { return row.querySelector("th").textContent; });
    var values = rows.map(function (row) {
      var value = row.querySelector("td").dataset.value;
      return value === "" ? null : Number(value);
    });
    new Chart(canvas, {
      type: panel.dataset.chart,
      data: { labels: labels, datasets: [{ label: root.dataset.labelCount, data: values,
              backgroundColor: "#1f5fa8", borderColor: "#1f5fa8", spanGaps: false }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  document.querySelectorAll("[data-panel]").forEach(drawChart);
}());
