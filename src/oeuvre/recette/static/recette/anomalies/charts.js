// Recette charts with ECharts. The numbers are computed (and tested) in Python, embedded with
// json_script as "recette-charts"; this file only maps them onto chart options.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  const node = document.getElementById("recette-charts");
  if (!node) return;
  const data = JSON.parse(node.textContent);
  const fr = (document.documentElement.lang || "fr").indexOf("fr") === 0;
  const T = fr
    ? { run: "Exécutés", passed: "Réussis", planned: "Prévus", count: "Nombre" }
    : { run: "Run", passed: "Passed", planned: "Planned", count: "Count" };
  const statusColours = { ok: "#1e7b34", ko: "#c0392b", bloque: "#e67e22", non_execute: "#9e9e9e" };
  const severityColours = { bloquante: "#c0392b", majeure: "#e67e22", mineure: "#d4ac0d" };

  const builders = {
    burnup: function (el) {
      const b = data.campaign && data.campaign.burnup[Number(el.dataset.index)];
      if (!b) return null;
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: b.days },
        yAxis: { type: "value", max: function (v) { return Math.max(v.max, b.planned); } },
        series: [
          { name: T.run, type: "line", data: b.executed, symbol: "none", areaStyle: { opacity: 0.15 } },
          { name: T.passed, type: "line", data: b.passed, symbol: "none", color: statusColours.ok },
          { name: T.planned, type: "line", data: b.days.map(function () { return b.planned; }), symbol: "none", lineStyle: { type: "dashed" } },
        ],
      };
    },
    breakdown: function () {
      if (!data.campaign) return null;
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          type: "pie", radius: ["40%", "70%"],
          data: data.campaign.breakdown.map(function (r) { return { name: r.label, value: r.count, itemStyle: { color: statusColours[r.status] } }; }),
        }],
      };
    },
    severity: function () {
      const a = data.anomalies;
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: a.days },
        yAxis: { type: "value", minInterval: 1 },
        series: a.by_severity.map(function (s) {
          return { name: s.label, type: "line", stack: "open", areaStyle: {}, symbol: "none", data: s.open, color: severityColours[s.severity] };
        }),
      };
    },
    status: function () {
      const a = data.anomalies;
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll" },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: a.days },
        yAxis: { type: "value", minInterval: 1 },
        series: a.by_status.map(function (s) {
          return { name: s.label, type: "bar", stack: "status", data: s.count };
        }),
      };
    },
  };

  document.querySelectorAll("[data-recette-chart]").forEach(function (el) {
    const build = builders[el.dataset.recetteChart];
    const option = build ? build(el) : null;
    if (!option) return;
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ aria: { enabled: true } }, option));
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
