/* Monitoring dashboard: draws the charts and keeps figures, tables and charts live by polling
   the public JSON API (the same protected numbers the page was rendered with). Protected
   cells stay "·" in tables and leave a gap in charts. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var PROTECTED = root.dataset.protected;
  var VIEWS = ["month", "district", "german_level"];
  var INTERVAL_MS = 2000;
  var charts = {};

  function shown(count) { return count.value === null ? PROTECTED : String(count.value); }

  function fillTable(by, table) {
    var element = document.querySelector('table[data-view="' + by + '"]');
    if (!element) { return; }
    var body = element.querySelector("tbody");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    table.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var label = document.createElement("td");
      label.textContent = row.label;
      var value = document.createElement("td");
      value.className = "num" + (row.count.value === null ? " protected" : "");
      value.textContent = shown(row.count);
      if (row.count.value === null) { value.title = root.dataset.protectedTitle; }
      tr.appendChild(label);
      tr.appendChild(value);
      body.appendChild(tr);
    });
    var total = element.querySelector("[data-total]");
    total.textContent = shown(table.total.count);
    total.className = "num" + (table.total.count.value === null ? " protected" : "");
  }

  function drawChart(by, table) {
    var canvas = document.getElementById("chart-" + by);
    if (!canvas || typeof Chart === "undefined") { return; }
    var labels = table.rows.map(function (row) { return row.label; });
    var values = table.rows.map(function (row) { return row.count.value; });
    if (charts[by]) {
      charts[by].data.labels = labels;
      charts[by].data.datasets[0].data = values;
      charts[by].update("none");
      return;
    }
    charts[by] = new Chart(canvas, {
      type: by === "month" ? "line" : "bar",
      data: { labels: labels, datasets: [{ label: root.dataset.labelArrivals, data: values,
              backgroundColor: "#1f5fa8", borderColor: "#1f5fa8", spanGaps: false }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  function show(by, table) {
    fillTable(by, table);
    drawChart(by, table);
    if (by === "month") {
      document.getElementById("figure-arrivals").textContent = shown(table.total.count);
      document.getElementById("freshness").textContent = table.data_as_of
        ? table.data_as_of.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", " UTC")
        : root.dataset.noData;
    }
  }

  function refresh() {
    VIEWS.forEach(function (by) {
      var query = root.dataset.query ? root.dataset.query + "&by=" + by : "by=" + by;
      fetch("/statistics/arrivals?" + query, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (table) { if (table) { show(by, table); } })
        .catch(function () { /* the next poll tries again */ });
    });
  }

  refresh();
  window.setInterval(refresh, INTERVAL_MS);
}());
