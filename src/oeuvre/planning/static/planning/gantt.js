// The interactive Gantt: frappe-gantt draws, the server decides. A drag or a resize is sent to the
// server, which validates it with the engine, reschedules the plan and answers with the new plan (or the
// reason it refused); the chart then redraws from the server's dates. Moves can be undone (Ctrl+Z).
(function () {
  "use strict";
  const frame = document.getElementById("gantt");
  if (!frame || typeof window.Gantt !== "function") return;
  const status = document.getElementById("gantt-status");
  const undoButton = document.getElementById("gantt-undo");
  const scale = document.getElementById("gantt-scale");
  const editable = frame.dataset.editable === "1";
  const undoStack = [];
  let gantt = null;
  let tasks = [];
  let busy = false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function iso(date) {
    const y = date.getFullYear();
    const m = String(date.getMonth() + 1).padStart(2, "0");
    const d = String(date.getDate()).padStart(2, "0");
    return y + "-" + m + "-" + d;
  }

  function popup(ctx) {
    const t = ctx.task;
    ctx.set_title(t.name); // already escaped by the server
    const lines = [t.start + " → " + t.end];
    if (t.total_float !== undefined && t.total_float !== null) {
      lines.push(escapeHtml(frame.dataset.msgFloat) + " : " + escapeHtml(t.total_float) + " " + escapeHtml(frame.dataset.msgDays));
    }
    if (t.baseline_end) lines.push(escapeHtml(frame.dataset.msgBaseline) + " : " + escapeHtml(t.baseline_start) + " → " + escapeHtml(t.baseline_end));
    ctx.set_subtitle("");
    ctx.set_details(lines.join("<br>"));
  }

  function drawBaselines() {
    if (!gantt || !gantt.bars) return;
    const svg = gantt.$svg;
    let layer = svg.querySelector("g.baselines");
    if (layer) layer.remove();
    layer = document.createElementNS("http://www.w3.org/2000/svg", "g");
    layer.setAttribute("class", "baselines");
    gantt.bars.forEach(function (bar) {
      const t = bar.task;
      if (!t.baseline_start || !t.baseline_end) return;
      const rect = bar.$bar;
      const x = parseFloat(rect.getAttribute("x"));
      const width = parseFloat(rect.getAttribute("width"));
      const y = parseFloat(rect.getAttribute("y"));
      const height = parseFloat(rect.getAttribute("height"));
      const spanMs = t._end - t._start;
      if (!spanMs) return;
      const perMs = width / spanMs;
      const bStart = new Date(t.baseline_start + "T00:00:00");
      const bEnd = new Date(t.baseline_end + "T00:00:00");
      bEnd.setDate(bEnd.getDate() + 1);
      const bx = x + (bStart - t._start) * perMs;
      const bw = Math.max((bEnd - bStart) * perMs, 3);
      const line = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      line.setAttribute("x", String(bx));
      line.setAttribute("y", String(y + height + 2));
      line.setAttribute("width", String(bw));
      line.setAttribute("height", "4");
      line.setAttribute("class", "baseline-bar");
      line.setAttribute("data-task", t.id);
      layer.appendChild(line);
    });
    svg.appendChild(layer);
  }

  function render(data) {
    tasks = data.tasks;
    frame.dataset.revision = data.revision;
    if (!tasks.length) {
      frame.textContent = "—";
      return;
    }
    if (gantt) {
      const scroller = gantt.$container;
      const left = scroller ? scroller.scrollLeft : 0;
      gantt.refresh(tasks);
      if (scroller) scroller.scrollLeft = left;
      drawBaselines();
      return;
    }
    // Open on the status date when the plan spans it, else on the plan's start.
    const first = tasks.reduce(function (min, t) {
      return t.start < min ? t.start : min;
    }, tasks[0].start);
    const last = tasks.reduce(function (max, t) {
      return t.end > max ? t.end : max;
    }, tasks[0].end);
    const scrollTo = data.status_date && data.status_date > first && data.status_date < last ? data.status_date : "start";
    gantt = new window.Gantt(frame, tasks, {
      view_mode: scale ? scale.value : "Week",
      language: frame.dataset.language || "fr",
      readonly: !editable,
      readonly_progress: true,
      move_dependencies: false,
      bar_height: 22,
      padding: 16,
      popup_on: "click",
      popup: popup,
      today_button: true,
      scroll_to: scrollTo,
      on_date_change: onDateChange,
      on_view_change: function () {
        window.setTimeout(drawBaselines, 0);
      },
    });
    drawBaselines();
  }

  function load() {
    return fetch(frame.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(render);
  }

  function post(url, payload) {
    return fetch(url, {
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

  function withFilters(url) {
    const query = frame.dataset.source.split("?")[1];
    return query ? url + "?" + query : url;
  }

  // frappe-gantt reports dates on every step of a drag; the move is sent once, when the mouse is released.
  let pending = null;
  function onDateChange(task, start, end) {
    if (busy || String(task.id).indexOf("lot-") === 0) return;
    pending = { task: task, start: start, end: end };
  }

  function flush() {
    if (!pending || busy) return;
    const change = pending;
    pending = null;
    busy = true;
    frame.setAttribute("aria-busy", "true");
    post(withFilters(frame.dataset.move), {
      task: Number(change.task.id),
      start: iso(change.start),
      end: iso(change.end),
      version: change.task.version,
    })
      .then(function (result) {
        if (!result.ok || result.body.refused) {
          say(frame.dataset.msgRefused + " " + (result.body.detail || ""), true);
          return load();
        }
        undoStack.push(result.body.undo);
        if (undoButton) undoButton.disabled = false;
        say(result.body.moved.length + " " + frame.dataset.msgMoved + ".", false);
        render(result.body.plan);
        return null;
      })
      .catch(function () {
        return load();
      })
      .finally(function () {
        busy = false;
        frame.removeAttribute("aria-busy");
      });
  }
  document.addEventListener("mouseup", function () {
    window.setTimeout(flush, 0);  // after frappe-gantt's own mouseup handlers
  });

  function undo() {
    if (busy || !undoStack.length) return;
    const last = undoStack.pop();
    busy = true;
    post(withFilters(frame.dataset.restore), last)
      .then(function (result) {
        if (!result.ok || result.body.refused) {
          say(frame.dataset.msgRefused + " " + (result.body.detail || ""), true);
          return load();
        }
        say(frame.dataset.msgUndone, false);
        render(result.body.plan);
        return null;
      })
      .finally(function () {
        busy = false;
        if (undoButton) undoButton.disabled = undoStack.length === 0;
      });
  }

  if (undoButton) undoButton.addEventListener("click", undo);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !/INPUT|SELECT|TEXTAREA/.test(event.target.tagName)) {
      event.preventDefault();
      undo();
    }
  });
  if (scale) {
    scale.addEventListener("change", function () {
      if (gantt) gantt.change_view_mode(scale.value);
    });
  }
  load();
})();
