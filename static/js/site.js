// Site-wide behaviour, on every page (base.html). No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // On a narrow screen a wide table scrolls inside its own box (app.css). A box that scrolls
  // must be reachable by keyboard and named (WCAG 2.1.1), so it gets a tab stop; its caption or
  // heading names it.
  function labelScrollingTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.dataset.scrollTabindex = "1";
      } else if (!scrolls && table.dataset.scrollTabindex) {
        table.removeAttribute("tabindex");
        delete table.dataset.scrollTabindex;
      }
    });
  }

  // The skip link moves focus to <main> itself, so the next Tab is the content's first control.
  function skipToMain(event) {
    var link = event.target.closest && event.target.closest("a.skip-link");
    if (!link) return;
    var main = document.getElementById("main");
    if (main) {
      event.preventDefault();
      main.focus();
    }
  }

  // A form sent back with errors puts the cursor in the first field to correct (WCAG 3.3.1):
  // a field Django marked invalid, else the first field of the form that shows the error.
  // Only when nothing else holds the focus, so an htmx swap never steals it from typing.
  function focusFirstError(root) {
    var active = document.activeElement;
    if (active && active !== document.body && active.id !== "main") return;
    var field = root.querySelector('[aria-invalid="true"]');
    if (!field) {
      var error = root.querySelector("form .errorlist, form .error[role=alert]");
      var form = error && error.closest("form");
      field = form && form.querySelector("input:not([type=hidden]), select, textarea");
    }
    if (field && typeof field.focus === "function") field.focus();
  }

  document.addEventListener("click", skipToMain);
  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.querySelector) focusFirstError(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { labelScrollingTables(); });
  window.addEventListener("resize", function () { labelScrollingTables(); });
  document.addEventListener("htmx:afterSettle", function () { labelScrollingTables(); });
})();
