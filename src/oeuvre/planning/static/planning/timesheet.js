// The weekly timesheet: arrow keys move between cells, totals follow the typing, and a day above the
// person's capacity is flagged as a warning (the server accepts it and says so too).
(function () {
  "use strict";
  const form = document.getElementById("timesheet");
  if (!form) return;
  const capacity = parseFloat(form.dataset.capacity || "1");
  const cells = Array.from(form.querySelectorAll("input.cell"));

  function value(input) {
    const number = parseFloat((input.value || "").replace(",", "."));
    return isNaN(number) ? 0 : number;
  }

  function format(number) {
    return (Math.round(number * 100) / 100).toLocaleString(document.documentElement.lang || "fr");
  }

  function totals() {
    let week = 0;
    const days = {};
    form.querySelectorAll("tbody tr").forEach(function (row) {
      let sum = 0;
      row.querySelectorAll("input.cell").forEach(function (input) {
        const v = value(input);
        sum += v;
        days[input.dataset.col] = (days[input.dataset.col] || 0) + v;
      });
      const cell = row.querySelector(".row-total");
      if (cell) cell.textContent = format(sum);
      week += sum;
    });
    form.querySelectorAll(".day-total").forEach(function (cell) {
      const total = days[cell.dataset.col] || 0;
      cell.textContent = format(total);
      cell.classList.toggle("over", total > capacity + 1e-9);
      if (total > capacity + 1e-9) {
        const badge = document.createElement("span");
        badge.className = "badge badge-warning";
        badge.textContent = form.dataset.msgOver;
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(badge);
      }
    });
    const weekCell = form.querySelector(".week-total");
    if (weekCell) weekCell.textContent = format(week);
  }

  function at(row, col) {
    return cells.find(function (input) {
      return Number(input.dataset.row) === row && Number(input.dataset.col) === col;
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("cell")) totals();
  });
  form.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("cell")) return;
    const row = Number(input.dataset.row);
    const col = Number(input.dataset.col);
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    if ((event.key === "ArrowLeft" && input.selectionStart > 0) || (event.key === "ArrowRight" && input.selectionEnd < input.value.length)) return;
    const next = at(row + move[0], col + move[1]);
    if (next) {
      event.preventDefault();
      next.focus();
      next.select();
    }
  });
})();
