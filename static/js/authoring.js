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

  // Text not yet confirmed by the server is also kept in this browser, so a reload or a
  // navigation after a failed save loses nothing. Keyed by decision, form and field.
  function isText(field) {
    return field.tagName === "TEXTAREA" ||
      (field.tagName === "INPUT" && /^(text|url|email|search)$/.test(field.type));
  }

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, isText);
  }

  function storeKey(form, field) {
    var editor = document.getElementById("editor");
    var draft = editor && editor.dataset.draftKey;
    if (!draft || !form.id || !field.name) return null;
    return "adroit:unsaved:" + draft + ":" + form.id + ":" + field.name;
  }

  // Storage can be full or switched off: then the warning before leaving is all that is left.
  function stored(form, field) {
    try {
      var key = storeKey(form, field);
      return key ? JSON.parse(localStorage.getItem(key)) : null;
    } catch (e) {
      return null;
    }
  }

  function store(form, field, entry) {
    try {
      var key = storeKey(form, field);
      if (key && entry) localStorage.setItem(key, JSON.stringify(entry));
      else if (key) localStorage.removeItem(key);
    } catch (e) { /* see stored() */ }
  }

  function revisionInput(form) {
    return form.querySelector('input[name="revision"]');
  }

  // Each field carries the base it was shown from (apps/authoring/merging.py); kept text keeps
  // its base, so restoring it after someone else changed that field shows the conflict.
  function baseInput(form, field) {
    return form.querySelector('input[name="' + field.name + '__base"]');
  }

  // The save state sits beside the field being edited, not below a long form.
  function placeState(form, field) {
    var out = form.querySelector(".save-state");
    var wrapper = field.closest ? field.closest(".field") : null;
    var head = wrapper ? wrapper.querySelector(".field-head") : null;
    if (out && head && out.parentNode !== head) head.appendChild(out);
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
    if (form && isText(evt.target)) {
      var base = baseInput(form, evt.target);
      store(form, evt.target, {
        text: evt.target.value,
        revision: revisionInput(form).value,
        base: base ? base.value : null
      });
    }
    if (!form || form.classList.contains("conflict")) return;
    placeState(form, evt.target);
    form.adroitEdits = (form.adroitEdits || 0) + 1;
    show(form, "Unsaved changes…", "dirty");
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = autosaveForm(evt.detail.elt);
    if (!form) return;
    form.adroitSent = form.adroitEdits || 0;
    form.adroitSentText = {};
    textFields(form).forEach(function (field) {
      form.adroitSentText[field.name] = field.value;
    });
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
    // Forget only the text this save carried; anything typed since is still unsaved.
    if (saved && form.adroitSentText) {
      textFields(form).forEach(function (field) {
        var entry = stored(form, field);
        if (entry && entry.text !== form.adroitSentText[field.name]) return;
        store(form, field, null);
        if (field.adroitNotice) field.adroitNotice.remove();
      });
    }
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
      if (input.value !== from) return;
      input.value = String(evt.detail.value);
      // Kept text moves on with its form, so only someone else's save makes it a conflict.
      var form = autosaveForm(input);
      if (!form) return;
      textFields(form).forEach(function (field) {
        var entry = stored(form, field);
        if (entry && entry.revision === from) {
          store(form, field, { text: entry.text, revision: input.value });
        }
      });
    });
  });

  // Put kept text back, on the page and in every region htmx swaps in, and let autosave send it
  // at the revision it was typed on: if someone saved since, the conflict view shows both texts.
  document.addEventListener("htmx:load", function (evt) {
    var root = evt.target;
    var forms = root.matches("form.autosave") ? [root] : root.querySelectorAll("form.autosave");
    Array.prototype.forEach.call(forms, function (form) {
      textFields(form).forEach(function (field) {
        var entry = stored(form, field);
        if (!entry || entry.text === field.value) return;
        var revision = revisionInput(form);
        var serverText = field.value;
        var serverRevision = revision.value;
        field.value = entry.text;
        if (entry.revision) revision.value = entry.revision;
        var base = baseInput(form, field);
        var serverBase = base ? base.value : null;
        if (base && entry.base) base.value = entry.base;
        // Discarding sends the server's own text back, so the state ends at "Saved", not "failed".
        restoredNotice(field, function () {
          field.value = serverText;
          revision.value = serverRevision;
          if (base && serverBase) base.value = serverBase;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          store(form, field, null);
        });
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  });

  function restoredNotice(field, discard) {
    var notice = document.createElement("p");
    notice.className = "notice restored";
    notice.setAttribute("role", "status");
    notice.textContent = "Restored your unsaved text — not saved yet ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.textContent = "Discard";
    button.addEventListener("click", function () {
      notice.remove();
      discard();
    });
    notice.appendChild(button);
    field.insertAdjacentElement("afterend", notice);
    field.adroitNotice = notice;
  }

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

  // After a move, focus stays on the button that moved the row; after an undo, on the row.
  document.addEventListener("adroit:focus", function (evt) {
    var id = evt.detail.id;
    // The region is swapped after the event fires: wait for it to settle.
    setTimeout(function () {
      var target = document.getElementById(id);
      if (!target) return;
      if (!target.matches("button, a, input, select, textarea")) {
        target = target.querySelector("input, textarea, select, button") || target;
      }
      target.focus();
    }, 60);
  });

  // A refused form takes focus on its first invalid field, which also reads out the error.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status !== 422 && status !== 409) return;
    var root = evt.detail.target && evt.detail.target.isConnected ? evt.detail.target : null;
    var scope = root || document;
    var first = scope.querySelector('[aria-invalid="true"]') ||
      scope.querySelector(".conflict .differs textarea, .conflict .differs input, .conflict .differs select") ||
      scope.querySelector(".conflict button[type=submit]");
    if (first) first.focus();
  });

  // "Removed: REST API. Undo" stays for some seconds, longer while the pointer or focus is on it.
  var undoTimer = null;
  function armUndo() {
    var toast = document.getElementById("undo");
    if (!toast || !toast.querySelector("form")) return;
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () {
      if (toast.matches(":hover") || toast.contains(document.activeElement)) {
        armUndo();
        return;
      }
      toast.textContent = "";
    }, 10000);
  }
  document.addEventListener("htmx:load", function (evt) {
    if (evt.target.id === "undo" || evt.target.querySelector && evt.target.querySelector("#undo form")) armUndo();
  });

  // The preview shows the part of the document the current step edits.
  var STEP_HEADINGS = {
    problem: ["Context and Problem Statement", "Context", "Decision Drivers"],
    scenarios: ["Considered Options", "Pros and Cons of the Options", "Common Scenarios"],
    considerations: ["Considerations"],
    outcome: ["Decision Outcome", "Decision", "Consequences"]
  };
  function followStep() {
    var preview = document.getElementById("preview");
    if (!preview) return;
    var wanted = STEP_HEADINGS[preview.dataset.step];
    var headings = Array.prototype.slice.call(preview.querySelectorAll("h2"));
    var found = null;
    (wanted || []).some(function (text) {
      found = headings.filter(function (h) { return h.textContent.trim() === text; })[0];
      return !!found;
    });
    headings.forEach(function (h) { h.classList.remove("current-step"); });
    if (found) {
      found.classList.add("current-step");
      preview.scrollTop += found.getBoundingClientRect().top - preview.getBoundingClientRect().top - 8;
    } else {
      preview.scrollTop = 0;
    }
  }
  document.addEventListener("DOMContentLoaded", followStep);
  document.addEventListener("htmx:load", function (evt) {
    if (evt.target.id === "preview") followStep();
  });
})();
