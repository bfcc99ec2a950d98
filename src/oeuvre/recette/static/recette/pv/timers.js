// The timers chart: the ECharts option is computed (and tested) in Python and embedded with json_script.
(function () {
  "use strict";
  function draw() {
    const node = document.getElementById("timers-chart-data");
    const target = document.getElementById("timers-chart");
    if (!node || !target || typeof window.echarts === "undefined") return;
    const chart = window.echarts.init(target);
    chart.setOption(JSON.parse(node.textContent));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
