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

  function numberCell(cell, count) {
    cell.className = "num" + (count.value === null ? " protected" : "");
    cell.textContent = shown(count);
    if (count.value === null) { cell.title = root.dataset.protectedTitle; }
    else { cell.removeAttribute("title"); }
    return cell;
  }

  function fillTable(panel, table) {
    var element = panel.querySelector("table");
    var labels = labelsOf(element);
    var weeks = element.hasAttribute("data-weeks");
    var body = element.querySelector("tbody");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    table.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var label = document.createElement("td");
      label.textContent = labels[row.label] || row.label;
      tr.appendChild(label);
      tr.appendChild(numberCell(document.createElement("td"), row.count));
      if (weeks) {
        tr.appendChild(numberCell(document.createElement("td"), row.median_weeks));
        tr.appendChild(numberCell(document.createElement("td"), row.p90_weeks));
      }
      body.appendChild(tr);
    });
    numberCell(element.querySelector("[data-total]"), table.total.count);
    if (weeks) {
      numberCell(element.querySelector("[data-total-median]"), table.total.median_weeks);
      numberCell(element.querySelector("[data-total-p90]"), table.total.p90_weeks);
    }
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
