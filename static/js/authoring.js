// Guided authoring: autosave states, conflicts swapped in place, revisions kept current.
// Plain script, no build; the editor works without it as ordinary forms.
(function () {
  "use strict";

  // A refused save (409 conflict, 422 invalid) carries the form to show: swap it in place.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 409 || status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  function autosaveForm(elt) {
    return elt && elt.closest ? elt.closest("form.autosave") : null;
  }

  function show(form, text, state) {
    var out = form.querySelector(".save-state");
    if (out) {
      out.textContent = text;
      out.dataset.state = state;
    }
  }

  // Count edits, so a save that finishes while someone is still typing does not claim "Saved".
  document.addEventListener("input", function (evt) {
    var form = autosaveForm(evt.target);
    if (!form || form.classList.contains("conflict")) return;
    form.adroitEdits = (form.adroitEdits || 0) + 1;
    show(form, "Unsaved changes…", "dirty");
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = autosaveForm(evt.detail.elt);
    if (!form) return;
    form.adroitSent = form.adroitEdits || 0;
    show(form, "Saving…", "saving");
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    // When the form was swapped away, htmx re-fires this on a parent: the form is in requestConfig.
    var config = evt.detail.requestConfig;
    var form = autosaveForm((config && config.elt) || evt.detail.elt);
    if (!form) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    // Refusals are swapped in as successes (see above): judge by the status.
    var saved = status >= 200 && status < 300;
    if (!form.isConnected) {
      // A resolved conflict swapped its form for a fresh one with the same id.
      var fresh = document.getElementById(form.id);
      if (fresh && saved) show(fresh, "Saved", "saved");
      return;
    }
    if (saved) {
      if ((form.adroitEdits || 0) === form.adroitSent) {
        form.adroitEdits = 0;
        show(form, "Saved", "saved");
      }
    } else if (status !== 409 && status !== 422) {
      show(form, "Save failed: your text is still here; it is saved with your next change.", "failed");
      form.adroitEdits = (form.adroitEdits || 0) + 1;
    }
  });

  // Forms shown at the revision this save started from move on with it; older ones stay older,
  // so their next save is still recognised as a conflict.
  document.addEventListener("adroit:revision", function (evt) {
    var from = String(evt.detail.from);
    document.querySelectorAll('input[name="revision"]').forEach(function (input) {
      if (input.value === from) input.value = String(evt.detail.value);
    });
  });

  // A matrix cell shows its level by colour as soon as it is chosen.
  document.addEventListener("change", function (evt) {
    var cell = evt.target.closest ? evt.target.closest("td.cell") : null;
    if (cell && evt.target.tagName === "SELECT") {
      cell.className = cell.className.replace(/level-\S+/, "level-" + evt.target.value);
    }
  });

  // Nothing typed is lost: warn before leaving with unsaved or refused text.
  window.addEventListener("beforeunload", function (evt) {
    var pending = Array.prototype.some.call(
      document.querySelectorAll("form.autosave"),
      function (form) {
        return form.adroitEdits > 0 || form.classList.contains("conflict") ||
          form.classList.contains("invalid");
      }
    );
    if (pending) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });
})();
