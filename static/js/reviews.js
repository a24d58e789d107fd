// A refused review step (422), or a move someone else's beat (409), carries the panel with its
// message and the text typed: show it.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var status = evt.detail.xhr.status;
  if ((status === 422 || status === 409) && evt.detail.target && evt.detail.target.id === "review-panel") {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});

// Each section's comments are swapped again after every step and poll (out of band): keep the
// ones a person opened open, and bring focus back to the section they acted in.
(function () {
  var opened = new Set();
  var focusSection = null;

  function remember() {
    opened = new Set();
    document.querySelectorAll(".section-threads details[open]").forEach(function (d) {
      opened.add(d.id);
    });
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var section = evt.target.closest && evt.target.closest(".section-threads");
    if (section && evt.detail.requestConfig && evt.detail.requestConfig.verb === "post") {
      focusSection = section.id;
    }
  });
  document.addEventListener("htmx:beforeSwap", remember);
  // Reopen them once htmx has settled: settling gives each swapped element the attributes it
  // came with, so an `open` set any earlier would be taken away again.
  function reopen() {
    opened.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
  }
  document.addEventListener("htmx:afterSwap", reopen);
  document.addEventListener("htmx:afterSettle", function (evt) {
    reopen();
    // The button pressed may be gone with the step (Approve, once accepted): focus the panel,
    // whose message or new state comes first, rather than let focus fall to the page's start.
    var panel = document.getElementById("review-panel");
    if (!focusSection && panel && evt.detail.target === panel && document.activeElement === document.body) {
      var alert = panel.querySelector("[role=alert]");
      (alert ? alert : panel).setAttribute("tabindex", "-1");
      (alert ? alert : panel).focus();
    }
    if (focusSection) {
      var summary = document.querySelector("#" + focusSection + " summary");
      focusSection = null;
      if (summary) {
        summary.focus();
      }
    }
  });
})();
