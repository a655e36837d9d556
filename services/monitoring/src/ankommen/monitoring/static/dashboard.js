/* Monitoring dashboard: draws the charts and keeps key figures, tables and charts live by
   polling the public JSON API (the same protected numbers the page was rendered with). Each
   panel names its API query in data-source. Protected cells stay "·" in tables and leave a
   gap in charts. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var PROTECTED = root.dataset.protected;
  var INTERVAL_MS = 2000;
  var charts = {};

  function shown(count) { return count.value === null ? PROTECTED : String(count.value); }

  function labelsOf(element) {
    try { return JSON.parse(element.dataset.labels || "{}"); } catch (error) { return {}; }
  }

  function fillTable(panel, table) {
    var element = panel.querySelector("table");
    var labels = labelsOf(element);
    var body = element.querySelector("tbody");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    table.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var label = document.createElement("td");
      label.textContent = labels[row.label] || row.label;
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

  function drawChart(panel, table) {
    var key = panel.dataset.panel;
    var canvas = panel.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") { return; }
    var names = labelsOf(panel.querySelector("table"));
    var labels = table.rows.map(function (row) { return names[row.label] || row.label; });
    var values = table.rows.map(function (row) { return row.count.value; });
    if (charts[key]) {
      charts[key].data.labels = labels;
      charts[key].data.datasets[0].data = values;
      charts[key].update("none");
      return;
    }
    charts[key] = new Chart(canvas, {
      type: table.by === "month" ? "line" : "bar",
      data: { labels: labels, datasets: [{ label: root.dataset.labelCount, data: values,
              backgroundColor: "#1f5fa8", borderColor: "#1f5fa8", spanGaps: false }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  function getJson(url) {
    return fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function showFreshness(table) {
    document.getElementById("freshness").textContent = table.data_as_of
      ? table.data_as_of.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", " UTC")
      : root.dataset.noData;
  }

  function showFigures(figures) {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = figures[element.dataset.figure];
      if (!figure) { return; }
      element.textContent = "shown" in figure ? (figure.shown || PROTECTED) : shown(figure);
    });
  }

  function refresh() {
    document.querySelectorAll("[data-panel]").forEach(function (panel) {
      getJson(panel.dataset.source)
        .then(function (table) {
          if (!table) { return; }
          fillTable(panel, table);
          drawChart(panel, table);
          showFreshness(table);
        })
        .catch(function () { /* the next poll tries again */ });
    });
    getJson(root.dataset.figuresSource)
      .then(function (figures) { if (figures) { showFigures(figures); } })
      .catch(function () { /* the next poll tries again */ });
  }

  refresh();
  window.setInterval(refresh, INTERVAL_MS);
}());
