// Œuvre's own behaviour, loaded on every page. No inline scripts: the CSP allows only nonced files.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions declared with data-confirm="…" (forms).
  document.body.addEventListener("submit", (event) => {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Copy buttons: <button data-copy="#id">.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.setAttribute("aria-live", "polite");
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    }
  });
});
