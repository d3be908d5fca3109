/* Statistics dashboard: draws the ECharts charts from the JSON the page embeds with
 * json_script (no inline script, so a Content-Security-Policy can forbid them), and gives each
 * chart a "表格" toggle showing the same numbers as a table. Without JavaScript the tables show. */
(function () {
  "use strict";
  var source = document.getElementById("dash-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // Colour-blind-safe pair (blue / orange) plus decal patterns: never colour alone (ux.md).
  var palette = ["#1f5fa8", "#d9822b"];
  var charts = [];

  function barOption(block) {
    return {
      color: palette,
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: block.x, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", name: data.labels.unit, minInterval: 1 },
      series: [
        { name: data.labels.filed, type: "bar", data: block.filed },
        { name: data.labels.closed, type: "bar", data: block.closed }
      ]
    };
  }

  function draw(name) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el || !data[name]) { return; }
    el.hidden = false;
    el.style.height = "320px";
    var chart = window.echarts.init(el);
    var option = barOption(data[name]);
    if (name === "month") {
      // Months not yet begun are null: the line stops instead of falling to zero.
      option.series.forEach(function (s) { s.type = "line"; s.symbolSize = 6; s.connectNulls = false; });
    } else {
      // Horizontal bars keep every category name readable; first category on top.
      var axis = option.xAxis;
      option.xAxis = option.yAxis;
      option.yAxis = axis;
      option.yAxis.inverse = true;
      option.yAxis.axisLabel = { interval: 0 };
      option.xAxis.name = "";
      option.series.forEach(function (s) { s.barMaxWidth = 14; });
    }
    chart.setOption(option);
    charts.push(chart);
    var table = document.querySelector('[data-table="' + name + '"]');
    if (table) { table.hidden = true; }
  }

  function wireToggle(button) {
    var name = button.getAttribute("data-view-toggle");
    var chartEl = document.querySelector('[data-chart="' + name + '"]');
    var tableEl = document.querySelector('[data-table="' + name + '"]');
    if (!chartEl || !tableEl) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var showTable = tableEl.hidden;
      tableEl.hidden = !showTable;
      chartEl.hidden = showTable;
      button.setAttribute("aria-pressed", showTable ? "true" : "false");
      button.querySelector("span").textContent = button.getAttribute(showTable ? "data-label-chart" : "data-label-table");
      var icon = button.querySelector("i");
      if (icon) { icon.className = showTable ? "bi bi-bar-chart" : "bi bi-table"; }
      if (!showTable) { charts.forEach(function (c) { c.resize(); }); }
    });
  }

  // Grades and exemption outcomes: pies of {name, value}; an empty list shows no chart (the
  // page says there is nothing yet).
  function drawPie(name) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    var rows = data[name];
    if (!el || !rows || !rows.some(function (r) { return r.value > 0; })) { return; }
    el.hidden = false;
    el.style.height = "240px";
    var chart = window.echarts.init(el);
    chart.setOption({
      color: ["#1f5fa8", "#d9822b", "#b8322a", "#6b7280"],
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], top: -20, data: rows, label: { formatter: "{c}" } }]
    });
    charts.push(chart);
    var table = document.querySelector('[data-table="' + name + '"]');
    if (table) { table.hidden = true; }
  }

  draw("month");
  draw("category");
  draw("unit");
  drawPie("grades");
  drawPie("outcomes");
  document.querySelectorAll("[data-view-toggle]").forEach(wireToggle);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
