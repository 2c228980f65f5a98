// Dashboard charts (首页图表). The data are in each chart element's data-chart attribute (JSON,
// HTML-escaped by the template): {"kind": "bar"|"pie", "labels", "values", "unit"}.
// ECharts is served by zizhu itself (/static/echarts.min.js): no CDN, works offline. Tooltips
// are drawn on the canvas (renderMode richText): the pages' CSP allows no inline styles. No
// animation: a chart is whole the moment it appears (for printing, screenshots, and slow PCs).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  function option(spec) {
    var tooltip = { renderMode: "richText" };
    if (spec.kind === "pie") {
      tooltip.trigger = "item";
      tooltip.formatter = "{b}：{c} " + spec.unit + "（{d}%）";
      return {
        animation: false,
        tooltip: tooltip,
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["35%", "65%"],
          data: spec.labels.map(function (l, k) { return { name: l, value: spec.values[k] }; })
        }]
      };
    }
    tooltip.trigger = "axis";
    tooltip.valueFormatter = function (v) { return v + " " + spec.unit; };
    return {
      animation: false,
      tooltip: tooltip,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: spec.unit },
      yAxis: { type: "category", data: spec.labels, inverse: true },
      series: [{ type: "bar", data: spec.values, itemStyle: { color: "#b3261e" } }]
    };
  }
  var charts = [];
  var boxes = document.querySelectorAll("[data-chart]");
  for (var i = 0; i < boxes.length; i++) {
    var spec;
    try { spec = JSON.parse(boxes[i].getAttribute("data-chart")); } catch (e) { continue; }
    var chart = echarts.init(boxes[i], null, { renderer: "canvas" });
    chart.setOption(option(spec));
    charts.push(chart);
  }
  window.addEventListener("resize", function () {
    for (var j = 0; j < charts.length; j++) { charts[j].resize(); }
  });
})();
