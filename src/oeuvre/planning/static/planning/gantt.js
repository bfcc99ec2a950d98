// The interactive Gantt: DHTMLX Gantt (community edition, MIT) draws the grid and the chart and only
// renders the rows on screen; the server decides. A drag, a resize, a link drawn between two bars or a
// cell edited in the grid is sent to the server, which validates it with the scheduling engine,
// reschedules the plan and answers with the new plan (or the reason it refused); the chart then shows
// the server's dates. Each accepted change can be undone (button or Ctrl+Z).
(function () {
  "use strict";
  const frame = document.getElementById("gantt");
  const g = window.gantt;
  if (!frame || !g) return;
  const d = frame.dataset;
  const lang = d.language === "en" ? "en" : "fr";
  const editable = d.editable === "1";
  const status = document.getElementById("gantt-status");
  const undoButton = document.getElementById("gantt-undo");
  const LINK_TYPES = { 0: "FS", 1: "SS", 2: "FF", 3: "SF" };
  const LINK_CODES = { FS: "0", SS: "1", FF: "2", SF: "3" };
  const undoStack = [];
  const opened = {};
  let order = [];
  let busy = false;
  let syncing = false;

  // --- Dates -------------------------------------------------------------------------------------
  const shortDate = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit", year: "numeric" });
  const longDate = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });
  const monthYear = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric" });
  const monthShort = new Intl.DateTimeFormat(lang, { month: "short" });

  function parseIso(text) {
    const parts = String(text).split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }
  function addDays(date, n) {
    const copy = new Date(date.getFullYear(), date.getMonth(), date.getDate());
    copy.setDate(copy.getDate() + n);
    return copy;
  }
  function iso(date) {
    const y = date.getFullYear();
    const m = String(date.getMonth() + 1).padStart(2, "0");
    const day = String(date.getDate()).padStart(2, "0");
    return y + "-" + m + "-" + day;
  }
  function isoWeek(date) {
    const t = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
    t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
    const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
    return Math.ceil(((t - yearStart) / 86400000 + 1) / 7);
  }
  function today() {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }

  // --- Messages ----------------------------------------------------------------------------------
  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }
  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }
  function percent(value) {
    return lang === "fr" ? value + "\u202f%" : value + "%";
  }

  // --- Server rows → Gantt tasks -----------------------------------------------------------------
  function isLot(id) {
    return String(id).indexOf("lot-") === 0;
  }
  function toTask(row, known) {
    const lot = row.kind === "lot";
    const milestone = row.kind === "milestone";
    const start = parseIso(row.start);
    const task = {
      id: row.id,
      text: row.label,
      start_date: start,
      end_date: milestone ? start : addDays(parseIso(row.end), 1),
      type: milestone ? "milestone" : "task",
      parent: row.parent && known.has(row.parent) ? row.parent : 0,
      open: opened[row.id] !== false,
      progress: (row.progress || 0) / 100,
      wd: lot ? "" : row.duration,
      row: row,
    };
    if (milestone) task.duration = 0;
    return task;
  }
  function toLink(link) {
    return { id: String(link.id), source: link.from, target: link.to, type: LINK_CODES[link.type] || "0" };
  }

  function render(data) {
    frame.dataset.revision = data.revision;
    const rows = data.tasks;
    const known = new Set(rows.map(function (r) {
      return r.id;
    }));
    const ids = rows.map(function (r) {
      return r.id;
    });
    const scroll = order.length ? g.getScrollState() : null;
    const sameRows = ids.length === order.length && ids.every(function (id, i) {
      return id === order[i];
    });
    syncing = true;
    try {
      if (!sameRows) {
        g.clearAll();
        g.parse({ data: rows.map(function (r) {
          return toTask(r, known);
        }), links: data.links.map(toLink) });
      } else {
        // Same rows: update in place (a full re-parse of thousands of tasks would redraw everything).
        g.batchUpdate(function () {
          rows.forEach(function (r) {
            const fresh = toTask(r, known);
            const task = g.getTask(r.id);
            ["text", "start_date", "end_date", "progress", "wd", "row", "type"].forEach(function (key) {
              task[key] = fresh[key];
            });
            g.updateTask(r.id);
          });
          const wanted = new Map(data.links.map(function (l) {
            return [String(l.id), l];
          }));
          g.getLinks().forEach(function (l) {
            if (!wanted.has(String(l.id))) g.deleteLink(l.id);
          });
          wanted.forEach(function (l, id) {
            if (!g.isLinkExists(id)) g.addLink(toLink(l));
          });
        });
      }
    } finally {
      syncing = false;
    }
    order = ids;
    if (scroll) g.scrollTo(scroll.x, scroll.y);
    drawToday();
  }

  // --- Drawing: columns, scales, classes, baseline and float under the bars, today's line ---------
  const compact = window.matchMedia("(max-width: 767.98px)").matches;
  function cell(value) {
    return value == null || value === "" ? "" : escapeHtml(value);
  }
  const columns = [
    { name: "wbs", label: d.colWbs, width: 44, template: function (t) {
      return cell(t.row.wbs);
    } },
    { name: "text", label: d.colName, tree: true, width: compact ? 150 : 210, template: function (t) {
      return t.row.kind === "lot" ? "<strong>" + cell(t.row.label) + "</strong>" : cell(t.row.ref + " " + t.row.label);
    }, editor: { type: "text", map_to: "text" } },
    { name: "wd", label: d.colDuration, width: 56, align: "right", template: function (t) {
      return t.row.kind === "lot" ? "" : cell(t.row.duration);
    }, editor: { type: "number", map_to: "wd", min: 1 } },
    { name: "start", label: d.colStart, width: 84, align: "center", template: function (t) {
      return shortDate.format(parseIso(t.row.start));
    }, editor: { type: "date", map_to: "start_date" } },
    { name: "finish", label: d.colFinish, width: 84, align: "center", template: function (t) {
      return shortDate.format(parseIso(t.row.end));
    } },
    { name: "done", label: d.colProgress, width: 56, align: "right", template: function (t) {
      return t.row.kind === "lot" ? "" : percent(t.row.progress || 0);
    } },
    { name: "predecessors", label: d.colPredecessors, width: 96, template: function (t) {
      return cell(t.row.predecessors);
    } },
    { name: "resources", label: d.colResources, width: 120, template: function (t) {
      return cell(t.row.resources);
    } },
  ];
  const ZOOM = {
    day: { min_column_width: 26, scales: [
      { unit: "month", step: 1, format: function (date) {
        return monthYear.format(date);
      } },
      { unit: "day", step: 1, format: function (date) {
        return String(date.getDate());
      } },
    ] },
    week: { min_column_width: 40, scales: [
      { unit: "month", step: 1, format: function (date) {
        return monthYear.format(date);
      } },
      { unit: "week", step: 1, format: function (date) {
        return d.weekPrefix + isoWeek(date);
      } },
    ] },
    month: { min_column_width: 64, scales: [
      { unit: "year", step: 1, format: function (date) {
        return String(date.getFullYear());
      } },
      { unit: "month", step: 1, format: function (date) {
        return monthShort.format(date);
      } },
    ] },
    quarter: { min_column_width: 72, scales: [
      { unit: "year", step: 1, format: function (date) {
        return String(date.getFullYear());
      } },
      { unit: "quarter", step: 1, format: function (date) {
        return d.quarterPrefix + (Math.floor(date.getMonth() / 3) + 1);
      } },
    ] },
  };

  g.i18n.setLocale(lang);
  g.config.columns = compact ? [columns[1], columns[2]] : columns;
  // The grid takes at most half of the width; its columns shrink in proportion below that.
  g.config.grid_width = compact ? 206 : Math.min(750, Math.round(frame.clientWidth * 0.5));
  g.config.row_height = 34;
  g.config.bar_height = 18;
  g.config.scale_height = 50;
  g.config.smart_rendering = true;
  g.config.fit_tasks = true;
  g.config.open_tree_initially = true;
  g.config.details_on_dblclick = false;
  g.config.details_on_create = false;
  g.config.show_errors = false;
  g.config.readonly = !editable;
  g.config.drag_progress = false;
  g.config.drag_links = editable;
  g.config.drag_move = editable;
  g.config.drag_resize = editable;
  g.config.drag_project = false;
  g.config.round_dnd_dates = false;
  g.config.time_step = 24 * 60;
  g.config.duration_unit = "day";
  g.config.scale_offset_minimal = false;
  g.config.keyboard_navigation_cells = true;
  g.plugins({ tooltip: true, keyboard_navigation: true });
  Object.assign(g.config, ZOOM.week);

  g.templates.task_class = function (start, end, task) {
    const row = task.row || {};
    const classes = [];
    if (row.kind === "lot") classes.push("gx-lot");
    if (row.critical) classes.push("gx-critical");
    if (row.finished) classes.push("gx-done");
    if (row.kind === "milestone" && row.custom_class && row.custom_class.indexOf("contract") >= 0) classes.push("gx-contract");
    return classes.join(" ");
  };
  g.templates.grid_row_class = function (start, end, task) {
    return task.row && task.row.kind === "lot" ? "gx-lot-row" : "";
  };
  g.templates.task_text = function (start, end, task) {
    if (task.row && task.row.kind === "lot") return cell(task.row.label);
    return task.type === "milestone" ? "" : cell(task.row ? task.row.ref : "");
  };
  g.templates.rightside_text = function (start, end, task) {
    return task.type === "milestone" ? cell(task.row.ref + " " + task.row.label) : "";
  };
  g.templates.tooltip_text = function (start, end, task) {
    const row = task.row || {};
    const lines = ["<strong>" + cell(row.kind === "lot" ? row.label : row.ref + " " + row.label) + "</strong>"];
    lines.push(escapeHtml(longDate.format(parseIso(row.start)) + " → " + longDate.format(parseIso(row.end))));
    if (row.total_float != null) {
      lines.push(escapeHtml(d.msgFloat + " : " + row.total_float + " " + d.msgDays) + (row.critical ? " · " + escapeHtml(d.msgCritical) : ""));
    }
    if (row.baseline_start && row.baseline_end) {
      lines.push(escapeHtml(d.msgBaseline + " : " + shortDate.format(parseIso(row.baseline_start)) + " → " + shortDate.format(parseIso(row.baseline_end))));
    }
    return lines.join("<br>");
  };

  function strip(className, top, left, width, id) {
    const el = document.createElement("div");
    el.className = className;
    el.style.top = top + "px";
    el.style.left = left + "px";
    el.style.width = Math.max(width, 3) + "px";
    el.setAttribute("data-for", id);
    el.setAttribute("aria-hidden", "true");
    return el;
  }
  function decorate(task, defaultRender) {
    const bar = defaultRender(task);
    const row = task.row;
    if (!bar || !row || row.kind === "lot") return bar;
    const top = parseFloat(bar.style.top) || 0;
    const extra = [];
    if (row.baseline_start && row.baseline_end) {
      const start = parseIso(row.baseline_start);
      const end = row.kind === "milestone" ? addDays(start, 1) : addDays(parseIso(row.baseline_end), 1);
      const left = g.posFromDate(start);
      extra.push(strip("gx-baseline", top + g.config.bar_height + 3, left, g.posFromDate(end) - left, task.id));
    }
    if (row.total_float > 0 && row.late_finish && row.kind !== "milestone") {
      const from = g.posFromDate(task.end_date);
      const to = g.posFromDate(addDays(parseIso(row.late_finish), 1));
      if (to > from) extra.push(strip("gx-float", top + g.config.bar_height / 2 - 1, from, to - from, task.id));
    }
    if (!extra.length) return bar;
    const wrap = document.createElement("div");
    wrap.className = "gx-wrap";
    wrap.appendChild(bar);
    extra.forEach(function (el) {
      wrap.appendChild(el);
    });
    return wrap;
  }
  g.config.type_renderers = g.config.type_renderers || {};
  g.config.type_renderers[g.config.types.task] = decorate;
  g.config.type_renderers[g.config.types.milestone] = decorate;

  function drawToday() {
    const area = g.$task_data;
    if (!area) return;
    let line = area.querySelector(".gx-today");
    if (!line) {
      line = document.createElement("div");
      line.className = "gx-today";
      line.setAttribute("aria-hidden", "true");
      area.appendChild(line);
    }
    const state = g.getState();
    const now = today();
    const visible = state.min_date && now >= state.min_date && now <= state.max_date;
    line.hidden = !visible;
    if (!visible) return;
    line.style.left = g.posFromDate(now) + "px";
    line.style.height = Math.max(g.getVisibleTaskCount() * g.config.row_height, area.clientHeight) + "px";
    line.title = d.msgToday + " · " + longDate.format(now);
  }
  g.attachEvent("onGanttRender", drawToday);

  // --- Talking to the server ---------------------------------------------------------------------
  function withFilters(url) {
    const query = d.source.split("?")[1];
    return query ? url + "?" + query : url;
  }
  function post(url, payload) {
    return fetch(withFilters(url), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
  }
  function load() {
    return fetch(d.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(render);
  }
  function refresh() {
    undoButton && (undoButton.disabled = undoStack.length === 0);
  }
  // One change at a time: the server answers with the whole plan, which becomes the chart.
  function send(url, payload, onDone) {
    if (busy) return;
    busy = true;
    frame.setAttribute("aria-busy", "true");
    post(url, payload)
      .then(function (result) {
        if (!result.ok || result.body.refused) {
          say(d.msgRefused + " " + (result.body.detail || ""), true);
          return load();
        }
        render(result.body.plan);
        onDone(result.body);
        return null;
      })
      .catch(function () {
        say(d.msgError, true);
        return load();
      })
      .finally(function () {
        busy = false;
        frame.removeAttribute("aria-busy");
        refresh();
      });
  }
  function movedMessage(body) {
    const n = body.moved.length;
    return n + " " + (n > 1 ? d.msgMovedMany : d.msgMovedOne) + ".";
  }
  function sendMove(task, start, end) {
    send(d.move, { task: Number(task.id), start: iso(start), end: iso(end), version: task.row.version }, function (body) {
      undoStack.push({ url: d.restore, payload: body.undo });
      say(movedMessage(body), false);
    });
  }

  g.attachEvent("onBeforeTaskDrag", function (id, mode) {
    return editable && !busy && !isLot(id) && mode !== g.config.drag_mode.progress;
  });
  g.attachEvent("onAfterTaskDrag", function (id) {
    const task = g.getTask(id);
    const end = task.type === "milestone" ? task.start_date : addDays(task.end_date, -1);
    sendMove(task, task.start_date, end);
  });
  g.attachEvent("onBeforeLinkAdd", function (id, link) {
    if (syncing) return true;
    if (!editable || busy) return false;
    if (isLot(link.source) || isLot(link.target)) {
      say(d.msgRefused + " " + d.msgLot, true);
      return false;
    }
    const payload = { predecessor: Number(link.source), successor: Number(link.target), type: LINK_TYPES[link.type] || "FS" };
    send(d.link, payload, function (body) {
      undoStack.push({ url: d.unlink, payload: { link: body.undo.unlink }, message: d.msgUnlinked });
      say(d.msgLinked, false);
    });
    return false; // the link appears when the server has accepted it
  });
  g.attachEvent("onLinkDblClick", function () {
    return false;
  });
  g.attachEvent("onTaskDblClick", function (id, event) {
    if (!isLot(id) && event && event.target && event.target.closest && event.target.closest(".gantt_task_line")) {
      window.location.href = d.taskUrl.replace(/\/0\/?$/, "/" + id + "/");
    }
    return false;
  });
  g.attachEvent("onTaskOpened", function (id) {
    opened[id] = true;
  });
  g.attachEvent("onTaskClosed", function (id) {
    opened[id] = false;
  });

  const editors = g.ext.inlineEditors;
  editors.attachEvent("onBeforeEditStart", function (state) {
    if (!editable || busy || isLot(state.id)) return false;
    const task = g.getTask(state.id);
    return !(task.type === "milestone" && state.columnName === "wd") && !task.row.started;
  });
  editors.attachEvent("onBeforeSave", function (state) {
    const task = g.getTask(state.id);
    if (state.columnName === "start") {
      const start = state.newValue instanceof Date ? state.newValue : parseIso(String(state.newValue));
      if (iso(start) !== task.row.start) {
        const length = Math.round((parseIso(task.row.end) - parseIso(task.row.start)) / 86400000);
        sendMove(task, start, addDays(start, length));
      }
      return false;
    }
    const field = state.columnName === "wd" ? "duration" : "name";
    const before = field === "duration" ? String(task.row.duration) : task.row.label;
    if (String(state.newValue).trim() === before) return false;
    send(d.edit, { task: Number(state.id), field: field, value: String(state.newValue), version: task.row.version }, function (body) {
      undoStack.push({ url: d.edit, payload: body.undo });
      say(d.msgSaved, false);
    });
    return false; // the cell shows the server's value once it has accepted it
  });

  function undo() {
    if (busy || !undoStack.length) return;
    const last = undoStack.pop();
    send(last.url, last.payload, function () {
      say(d.msgUndone, false);
    });
    refresh();
  }

  // --- Toolbar -----------------------------------------------------------------------------------
  if (undoButton) undoButton.addEventListener("click", undo);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !/INPUT|SELECT|TEXTAREA/.test(event.target.tagName)) {
      event.preventDefault();
      undo();
    }
  });
  document.querySelectorAll("#gantt-zoom [data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      const level = ZOOM[button.dataset.zoom];
      if (!level) return;
      const range = g.getState();
      let centre = g.dateFromPos(g.getScrollState().x + g.$task.offsetWidth / 2);
      // A chart narrower than its box has no date under the middle of the box: keep to the plan's range.
      if (centre && range.max_date && centre > range.max_date) centre = range.max_date;
      if (centre && range.min_date && centre < range.min_date) centre = range.min_date;
      Object.assign(g.config, level);
      document.querySelectorAll("#gantt-zoom [data-zoom]").forEach(function (other) {
        other.setAttribute("aria-pressed", String(other === button));
        other.classList.toggle("active", other === button);
      });
      frame.dataset.zoom = button.dataset.zoom;
      g.render();
      if (centre) g.showDate(centre);
    });
  });
  const todayButton = document.getElementById("gantt-today");
  if (todayButton) todayButton.addEventListener("click", function () {
    g.showDate(today());
  });
  const expand = document.getElementById("gantt-expand");
  const collapse = document.getElementById("gantt-collapse");
  function openAll(open) {
    g.batchUpdate(function () {
      g.eachTask(function (task) {
        if (!isLot(task.id)) return;
        opened[task.id] = open;
        task.$open = open;
      });
    });
    g.render();
  }
  if (expand) expand.addEventListener("click", function () {
    openAll(true);
  });
  if (collapse) collapse.addEventListener("click", function () {
    openAll(false);
  });
  // Printing (or saving as PDF) shows the rows and dates on screen, with that range written above.
  function printRange() {
    const target = document.getElementById("gantt-print-range");
    if (!target || !g.$task) return;
    const x = g.getScrollState().x;
    const first = g.dateFromPos(x);
    const last = g.dateFromPos(x + g.$task.offsetWidth);
    target.textContent = d.msgRange.replace("%(start)s", longDate.format(first)).replace("%(end)s", longDate.format(last));
  }
  window.addEventListener("beforeprint", printRange);
  const printButton = document.getElementById("gantt-print");
  if (printButton) printButton.addEventListener("click", function () {
    printRange();
    window.print();
  });

  g.init(frame);
  frame.dataset.zoom = "week";
  document.querySelectorAll('#gantt-zoom [data-zoom="week"]').forEach(function (b) {
    b.classList.add("active");
  });
  load().then(function () {
    const s = g.getState();
    const now = today();
    if (s.min_date && now > s.min_date && now < s.max_date) g.showDate(now);
    frame.dataset.ready = "1";
    if (window.performance && performance.mark) performance.mark("gantt-rendered");
  });
})();
