// Task table inline edit: Escape cancels the row being edited; the first field gets the focus.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const row = event.detail.target;
    if (row && row.classList && row.classList.contains("row-editing")) {
      const first = row.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    } else if (row && row.querySelector) {
      const edit = row.querySelector("button[hx-get]");
      if (edit && document.activeElement === document.body) edit.focus();
    }
  });
  document.body.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const form = event.target.closest && event.target.closest("form.inline-edit");
    if (!form) return;
    const cancel = form.querySelector("[data-cancel-button]");
    if (cancel) cancel.click();
  });
})();
