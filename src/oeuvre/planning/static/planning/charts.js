// Planning charts with ECharts. The data is computed (and tested) in Python and embedded with
// json_script; this file only maps it onto chart options. Labels come from the page's language.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  const lang = document.documentElement.lang || "fr";
  const fr = lang.indexOf("fr") === 0;
  const T = fr
    ? { pv: "Valeur planifiée (PV)", ev: "Valeur acquise (EV)", ac: "Coût réel (AC)", bac: "Budget (BAC)", load: "Charge / capacité", before: "Avant lissage", after: "Après lissage", shift: "Décalage (jours ouvrés)", probability: "Probabilité", cumulative: "Probabilité cumulée", correlation: "Corrélation avec la fin", criticality: "Indice de criticité", target: "Date contractuelle", status: "Date d'état", fine: "Dans la capacité", peak: "Pic journalier", over: "Surchargée" }
    : { pv: "Planned value (PV)", ev: "Earned value (EV)", ac: "Actual cost (AC)", bac: "Budget (BAC)", load: "Load / capacity", before: "Before levelling", after: "After levelling", shift: "Shift (working days)", probability: "Probability", cumulative: "Cumulative probability", correlation: "Correlation with the finish", criticality: "Criticality index", target: "Contractual date", status: "Status date", fine: "Within capacity", peak: "Daily peak", over: "Over-allocated" };
  const money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  const builders = {
    evm: function (d, unit) {
      const s = d[unit];
      if (!s) return null;
      const fmt = unit === "money" ? money.format : number.format;
      return {
        tooltip: { trigger: "axis", valueFormatter: fmt },
        legend: { top: 0 },
        grid: { left: 80, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: d.weeks.slice(0, Math.max(s.pv.length, s.ev.length)) },
        yAxis: { type: "value", axisLabel: { formatter: fmt } },
        series: [
          { name: T.pv, type: "line", data: s.pv, symbol: "none", lineStyle: { type: "dashed" } },
          { name: T.ev, type: "line", data: s.ev, symbol: "none" },
          { name: T.ac, type: "line", data: s.ac, symbol: "none" },
          { name: T.bac, type: "line", data: s.pv.map(function () { return s.bac; }), symbol: "none", lineStyle: { width: 1, type: "dotted" } },
        ],
      };
    },
    "evm-index": function (d, unit) {
      const s = d[unit];
      if (!s || !s.spi) return null;
      return {
        tooltip: { trigger: "axis", valueFormatter: number.format },
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: d.weeks.slice(0, s.spi.length) },
        yAxis: { type: "value", min: function (v) { return Math.min(0.5, Math.floor(v.min * 10) / 10); }, max: function (v) { return Math.max(1.5, Math.ceil(v.max * 10) / 10); } },
        series: [
          { name: "SPI", type: "line", data: s.spi, symbol: "none", markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }] } },
          { name: "CPI", type: "line", data: s.cpi, symbol: "none" },
          { name: "SPI(t)", type: "line", data: s.spi_t, symbol: "none", lineStyle: { type: "dashed" } },
        ],
      };
    },
    load: function (d) {
      const cells = [];
      d.resources.forEach(function (name, r) {
        d.weeks.forEach(function (week, w) {
          const cap = d.capacity[r][w];
          const ratio = cap > 0 ? d.load[r][w] / cap : (d.load[r][w] > 0 ? 2 : 0);
          cells.push([w, r, Math.round(ratio * 100) / 100, d.state ? d.state[r][w] : 0]);
        });
      });
      return {
        tooltip: {
          formatter: function (p) {
            const r = p.value[1];
            const w = p.value[0];
            return d.resources[r] + " — " + day.format(new Date(d.weeks[w] + "T00:00:00")) + "<br>" + number.format(d.load[r][w]) + " / " + number.format(d.capacity[r][w]) + " (" + percent.format(p.value[2]) + ")" + (p.value[3] ? "<br>" + (p.value[3] === 2 ? T.over : T.peak) : "");
          },
        },
        grid: { left: 160, right: 20, top: 10, bottom: 70 },
        xAxis: { type: "category", data: d.weeks.map(function (w) { return day.format(new Date(w + "T00:00:00")); }), splitArea: { show: true } },
        yAxis: { type: "category", data: d.resources, splitArea: { show: true } },
        // The colour says the state computed in Python: red exactly for the weeks listed as over-allocated.
        visualMap: { type: "piecewise", dimension: 3, orient: "horizontal", left: "center", bottom: 0, pieces: [{ value: 0, label: T.fine, color: "#8fc1e3" }, { value: 1, label: T.peak, color: "#f0a202" }, { value: 2, label: T.over, color: "#d1242f" }] },
        series: [{ name: T.load, type: "heatmap", data: cells, label: { show: false } }],
      };
    },
    "levelling-overload": function (d) {
      return {
        tooltip: { trigger: "axis", valueFormatter: number.format },
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        xAxis: { type: "category", data: d.overload_weeks },
        yAxis: { type: "value" },
        series: [
          { name: T.before, type: "bar", data: d.overload_before },
          { name: T.after, type: "bar", data: d.overload_after },
        ],
      };
    },
    "levelling-moves": function (d) {
      const moved = d.moved.slice(0, 25).reverse();
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 180, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", name: T.shift },
        yAxis: { type: "category", data: moved.map(function (m) { return m.code + " " + m.name.slice(0, 25); }) },
        series: [{ name: T.shift, type: "bar", data: moved.map(function (m) { return m.shift; }) }],
      };
    },
    "risk-distribution": function (d) {
      const dist = d.distribution;
      const marks = [{ xAxis: d.percentiles.P50, name: "P50" }, { xAxis: d.percentiles.P80, name: "P80" }];
      if (d.target) marks.push({ xAxis: d.target, name: T.target, lineStyle: { color: "#d1242f" } });
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 50, right: 50, top: 40, bottom: 40 },
        xAxis: { type: "category", data: dist.dates },
        yAxis: [{ type: "value", axisLabel: { formatter: percent.format } }, { type: "value", max: 1, axisLabel: { formatter: percent.format } }],
        series: [
          { name: T.probability, type: "bar", data: dist.probability, markLine: { symbol: "none", label: { formatter: "{b}" }, data: marks } },
          { name: T.cumulative, type: "line", yAxisIndex: 1, data: dist.cumulative, symbol: "none" },
        ],
      };
    },
    "risk-tornado": function (d) {
      const rows = d.tornado.slice().reverse();
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: number.format },
        grid: { left: 180, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", min: -1, max: 1, name: T.correlation },
        yAxis: { type: "category", data: rows.map(function (r) { return r.code + " " + r.name.slice(0, 25); }) },
        series: [{ name: T.correlation, type: "bar", data: rows.map(function (r) { return r.sensitivity; }) }],
      };
    },
    "risk-criticality": function (d) {
      const rows = d.criticality.slice(0, 20).reverse();
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent.format },
        grid: { left: 180, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: percent.format } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.code + " " + r.name.slice(0, 25); }) },
        series: [{ name: T.criticality, type: "bar", data: rows.map(function (r) { return r.index; }) }],
      };
    },
  };

  function render(root) {
  root.querySelectorAll("[data-chart]:not([data-rendered])").forEach(function (node) {
    const build = builders[node.dataset.chart];
    const source = data(node.dataset.source);
    if (!build || !source) return;
    const option = build(source, node.dataset.unit || "money");
    if (!option) return;
    const chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption(Object.assign({ aria: { enabled: true } }, option));
    node.dataset.rendered = "1";
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
  }

  render(document);
  // A job's result swapped in by htmx (see core/_job_progress.html) brings its charts along.
  document.addEventListener("htmx:afterSettle", function () {
    render(document);
  });
})();
