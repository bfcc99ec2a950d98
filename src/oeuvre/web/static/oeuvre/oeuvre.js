// Œuvre's own behaviour, loaded on every page. No inline scripts: the CSP allows only nonced files.
(() => {
  "use strict";

  const typing = (el) =>
    el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.closest(".ts-wrapper"));

  // ---- Confirmations and copy buttons ---------------------------------------------------------------
  document.addEventListener("submit", (event) => {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.setAttribute("aria-live", "polite");
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    }
  });

  // ---- File pickers (web/_file_picker.html): the chosen names, in place of the browser's own text ----------
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.classList || !input.classList.contains("file-picker-input")) return;
    const names = input.parentElement.querySelector(".file-picker-names");
    if (!names) return;
    const chosen = Array.from(input.files || []).map((file) => file.name);
    names.textContent = chosen.length ? chosen.join(", ") : names.getAttribute("data-empty");
  });

  // ---- Searchable multi-selects (Tom Select) ------------------------------------------------------
  // Every <select multiple> of a form gets a search box and removable tags, so a click can no longer
  // drop the other choices. The page is usable without it: the native select stays underneath.
  function enhanceSelects(root) {
    if (typeof window.TomSelect !== "function") return;
    const texts = document.getElementById("oeuvre-i18n");
    const i18n = texts ? JSON.parse(texts.textContent) : {};
    root.querySelectorAll("select[multiple]:not(.tomselected):not([data-native])").forEach((select) => {
      // Tom Select labels its own input; keep the native label pointing at it.
      // The native select stays in the page, hidden, once its label points at Tom Select's input: it keeps
      // an accessible name of its own (the label's text), as assistive tools may still reach it.
      const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
      if (label && !select.hasAttribute("aria-label")) select.setAttribute("aria-label", label.textContent.trim());
      new window.TomSelect(select, {
        plugins: { remove_button: { title: i18n.remove || "Remove" }, clear_button: { title: i18n.clear || "Clear" } },
        maxOptions: null,
        hidePlaceholder: true,
        placeholder: select.getAttribute("data-placeholder") || i18n.search || "",
        render: {
          no_results: () => `<div class="no-results">${i18n.no_results || "No match"}</div>`,
        },
      });
    });
  }

  // ---- Keyboard shortcuts overlay (?) and the page's filter (/) ------------------------------------
  function shortcutsModal() {
    const el = document.getElementById("shortcuts");
    return el && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(el) : null;
  }
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-open]")) {
      event.preventDefault();
      const modal = shortcutsModal();
      if (modal) modal.show();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (event.key === "?") {
      const modal = shortcutsModal();
      if (modal) {
        event.preventDefault();
        modal.show();
      }
    } else if (event.key === "/") {
      const search = document.querySelector("[data-listing-search], main form[role='search'] input[type='search'], main input[type='search']")
        || document.querySelector("[data-global-search]");
      const link = document.querySelector(".topbar-search-link");
      if (search && search.offsetParent === null && link) {
        // A phone hides the header's box: go to the search page, whose box takes the focus.
        event.preventDefault();
        link.click();
      } else if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });

  // ---- Data tables: ticked rows, bulk bar, keyboard (j/k to move, x to tick, Enter to open) -----------
  function bulkSetup(form) {
    form.classList.add("dt-bulk-js");
    const boxes = () => [...document.querySelectorAll(`input[name="ids"][form="${form.id}"]`)];
    const count = form.querySelector("[data-bulk-count]");
    const all = form.closest("[data-datatable]").querySelector("[data-check-all]");
    const select = form.querySelector("[data-bulk-action]");
    const plural = new Intl.PluralRules(document.documentElement.lang || "fr");
    function refresh() {
      const ticked = boxes().filter((b) => b.checked);
      const n = ticked.length;
      const text = form.getAttribute(plural.select(n) === "one" ? "data-one" : "data-other") || "";
      count.textContent = text.replace("%(count)s", n);
      boxes().forEach((b) => b.closest("tr").classList.toggle("row-ticked", b.checked));
      if (all) {
        all.checked = n > 0 && n === boxes().length;
        all.indeterminate = n > 0 && n < boxes().length;
      }
    }
    function showParams() {
      form.querySelectorAll("[data-bulk-params]").forEach((f) => {
        const on = f.getAttribute("data-bulk-params") === select.value;
        f.classList.toggle("show", on);
        f.querySelectorAll("select, input, textarea").forEach((el) => { el.disabled = !on; });
      });
    }
    document.addEventListener("change", (event) => {
      if (event.target.matches(`input[name="ids"][form="${form.id}"]`)) refresh();
    });
    if (all) {
      all.addEventListener("change", () => {
        boxes().forEach((b) => { b.checked = all.checked; });
        refresh();
      });
    }
    select.addEventListener("change", showParams);
    form.addEventListener("submit", (event) => {
      const option = select.selectedOptions[0];
      if (option && option.hasAttribute("data-danger")) {
        const message = form.querySelector("[data-bulk-submit]").getAttribute("data-confirm-danger");
        if (!window.confirm(message)) event.preventDefault();
      }
    });
    refresh();
    showParams();
  }

  function currentTable() {
    return document.querySelector(".dt-table") || document.querySelector("main table.table");
  }
  function moveRow(table, step) {
    const rows = [...table.tBodies[0].rows];
    if (!rows.length) return;
    let index = rows.findIndex((r) => r.classList.contains("row-current"));
    rows.forEach((r) => r.classList.remove("row-current"));
    index = index < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, index + step));
    const row = rows[index];
    row.classList.add("row-current");
    const target = row.querySelector("input[type=checkbox], a[href]");
    if (target) target.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const inRowControl = event.target.matches && event.target.matches("tbody input[type=checkbox]");
    if (typing(event.target) && !inRowControl) return;
    const table = currentTable();
    if (!table || !table.tBodies.length) return;
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      moveRow(table, event.key === "j" ? 1 : -1);
    } else if (event.key === "x") {
      const row = table.querySelector("tbody tr.row-current");
      const box = row && row.querySelector("input[type=checkbox]");
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (event.key === "Enter" && inRowControl) {
      const row = event.target.closest("tr");
      const url = row.getAttribute("data-row-url") || (row.querySelector("a[href]") || {}).href;
      if (url) {
        event.preventDefault();
        window.location.assign(url);
      }
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    enhanceSelects(document);
    document.querySelectorAll("form[data-bulk]").forEach(bulkSetup);
  });
  document.addEventListener("htmx:afterSettle", (event) => enhanceSelects(event.target));
})();
