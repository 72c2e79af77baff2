// Draws each dashboard chart from the figures its page carries (json_script, read as data:
// no inline script under the Content Security Policy). The table beside each chart holds the
// same numbers for screen readers and for printing; the chart itself is hidden from them.
(() => {
  "use strict";
  const colour = getComputedStyle(document.documentElement).getPropertyValue("--bs-primary").trim() || "#0d6efd";
  for (const element of document.querySelectorAll("[data-chart]")) {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) { continue; }
    const figures = JSON.parse(source.textContent);
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: [colour],
      grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: figures.labels, axisLabel: { interval: 0, rotate: figures.labels.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: figures.kind, data: figures.counts }],
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
