// The architecture view with ECharts: nodes, links and categories are computed (and tested) in Python and
// embedded with json_script as "design-graph"; this file only lays them out as a force-directed graph series.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  const node = document.getElementById("design-graph");
  const el = document.getElementById("architecture");
  if (!node || !el) return;
  const data = JSON.parse(node.textContent);
  const chart = window.echarts.init(el, null, { renderer: "svg" });
  const narrow = el.clientWidth < 600; // a phone: smaller drawing, flows named on hover only
  if (narrow) data.links.forEach(function (l) { l.label.show = false; });
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        return p.dataType === "edge" ? p.data.label.formatter : (p.data.value ? p.data.value + " " : "") + p.data.name;
      },
    },
    legend: [{ data: data.categories.map(function (c) { return c.name; }), bottom: 0 }],
    series: [{
      type: "graph",
      layout: "force",
      top: 50,
      bottom: 70,
      left: 60,
      right: 60,
      roam: true,
      zoom: narrow ? 0.5 : 1,
      draggable: true,
      categories: data.categories,
      data: data.nodes,
      links: data.links,
      label: { show: true, position: "bottom", fontSize: 12 },
      edgeLabel: { fontSize: 10, color: "#475569" },
      edgeSymbolSize: 9,
      lineStyle: { width: 1.6, curveness: 0.12, color: "#475569" },
      force: { repulsion: 560, edgeLength: [100, 190], gravity: 0.12 },
      emphasis: { focus: "adjacency" },
    }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
