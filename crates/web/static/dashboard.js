// Dashboard charts (首页图表). The data are in each chart element's data-chart attribute (JSON,
// HTML-escaped by the template): {"kind": "bar"|"pie", "title", "labels", "values", "unit"}.
// ECharts is served by zizhu itself (/static/echarts.min.js): no CDN, works offline.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var boxes = document.querySelectorAll("[data-chart]");
  var charts = [];
  for (var i = 0; i < boxes.length; i++) {
    var spec;
    try { spec = JSON.parse(boxes[i].getAttribute("data-chart")); } catch (e) { continue; }
    var chart = echarts.init(boxes[i], null, { renderer: "canvas" });
    var option;
    if (spec.kind === "pie") {
      option = {
        tooltip: { trigger: "item", formatter: "{b}：{c} " + spec.unit + "（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["35%", "65%"],
          data: spec.labels.map(function (l, k) { return { name: l, value: spec.values[k] }; })
        }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + spec.unit; } },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: spec.unit },
        yAxis: { type: "category", data: spec.labels, inverse: true },
        series: [{ type: "bar", data: spec.values, itemStyle: { color: "#b3261e" } }]
      };
    }
    chart.setOption(option);
    charts.push(chart);
  }
  window.addEventListener("resize", function () {
    for (var j = 0; j < charts.length; j++) { charts[j].resize(); }
  });
})();
