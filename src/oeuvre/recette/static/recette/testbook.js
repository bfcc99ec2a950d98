/* The tester's execution screen: one step at a time, from the keyboard.
   o = OK, k = KO, b = blocked (k and b move to the actual result; Enter saves), n/p = next/previous step,
   a = raise an anomaly on a failed step, Esc = leave the text box. The forms work without this script. */
(function () {
  "use strict";
  var pending = "ok";

  function panel() { return document.getElementById("execution-panel"); }

  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function mark(status) {
    var p = panel();
    var button = p && p.querySelector('#step-form button[name="status"][value="' + status + '"]');
    if (button && !button.disabled) { button.click(); }
  }

  function focusPanel() {
    var p = panel();
    if (!p) { return; }
    pending = "ok";
    var target = p.querySelector("[data-autofocus]") || p.querySelector("#step-heading");
    if (target) { target.focus(); }
  }

  function follow(selector) {
    var p = panel();
    var link = p && p.querySelector(selector);
    if (link) { link.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    var p = panel();
    if (!p || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && target.id === "actual") {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        mark(pending);
      } else if (event.key === "Escape") {
        event.preventDefault();
        focusPanel();
      }
      return;
    }
    if (typing(target)) { return; }
    var key = (event.key || "").toLowerCase();
    if (key === "o") {
      event.preventDefault();
      mark("ok");
    } else if (key === "k" || key === "b") {
      event.preventDefault();
      pending = key === "k" ? "ko" : "bloque";
      var actual = p.querySelector("#actual");
      if (!actual) { return; }
      if (actual.value.trim()) { mark(pending); return; }
      actual.dataset.pending = pending;
      actual.focus();
    } else if (key === "n") {
      if (follow("a[rel=next]")) { event.preventDefault(); }
    } else if (key === "p") {
      if (follow("a[rel=prev]")) { event.preventDefault(); }
    } else if (key === "a") {
      if (follow("#raise-anomaly")) { event.preventDefault(); }
    }
  });

  // Only the panel's own swaps move the focus: the bell refreshes itself every minute, and a tester typing the
  // actual result must not find the cursor back on the heading.
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = panel();
    if (p && event.target instanceof Node && p.contains(event.target)) { focusPanel(); }
  });
  document.addEventListener("DOMContentLoaded", focusPanel);
})();
