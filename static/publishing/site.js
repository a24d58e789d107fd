/* The published site's script: filters the index in place and searches the prebuilt index.
   Plain JavaScript, no library, nothing fetched: the index arrives as assets/search-index.js. */
(function () {
  "use strict";

  function words(text) {
    return (text || "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // --- index.html: filter the table by title, status and tag --------------------------------
  var filters = document.getElementById("live-filters");
  var table = document.getElementById("decisions");
  if (filters && table) {
    filters.hidden = false;
    var text = document.getElementById("filter-text");
    var status = document.getElementById("filter-status");
    var tag = document.getElementById("filter-tag");
    var count = document.getElementById("filter-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var apply = function () {
      var wanted = words(text.value);
      var shown = 0;
      rows.forEach(function (row) {
        if (!row.dataset.status) return;
        var title = row.cells[1].textContent.toLowerCase() + " " + row.cells[0].textContent.toLowerCase();
        var ok = wanted.every(function (w) { return title.indexOf(w) !== -1; });
        ok = ok && (!status.value || row.dataset.status === status.value);
        ok = ok && (!tag || !tag.value || row.dataset.tags.split("|").indexOf(tag.value) !== -1);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " shown";
    };
    filters.addEventListener("input", apply);
    filters.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  // --- search.html: rank the prebuilt index ----------------------------------------------------
  var form = document.getElementById("site-search");
  var index = window.ADROIT_SEARCH_INDEX;
  if (!form || !index) return;
  var input = document.getElementById("q");
  var results = document.getElementById("search-results");
  var said = document.getElementById("search-status");
  index.forEach(function (entry) {
    entry._title = entry.ref.toLowerCase() + " " + entry.title.toLowerCase();
    entry._tags = entry.tags.join(" ").toLowerCase();
    entry._text = entry.text.toLowerCase();
  });

  function score(entry, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i += 1) {
      var t = terms[i];
      var s = 0;
      if (entry._title.indexOf(t) !== -1) s += 10;
      if (entry._tags.indexOf(t) !== -1) s += 5;
      if (entry._text.indexOf(t) !== -1) s += 1;
      if (!s) return 0;  // every term must appear somewhere
      total += s;
    }
    return total;
  }

  function snippet(entry, terms) {
    var at = entry._text.indexOf(terms[0]);
    if (at === -1) return entry.text.slice(0, 160);
    var start = Math.max(0, at - 60);
    return (start ? "… " : "") + entry.text.slice(start, start + 180) + " …";
  }

  function run(query) {
    var terms = words(query);
    results.textContent = "";
    if (!terms.length) { said.textContent = ""; return; }
    var found = index
      .map(function (entry) { return { entry: entry, score: score(entry, terms) }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score || b.entry.n - a.entry.n; })
      .slice(0, 100);
    said.textContent = found.length === 0 ? "Nothing matches “" + query + "”."
      : found.length + (found.length === 100 ? "+" : "") + " decision" + (found.length === 1 ? "" : "s") + " match.";
    found.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.entry.url;
      a.textContent = hit.entry.ref + " " + hit.entry.title;
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " · " + hit.entry.status + (hit.entry.date ? " · " + hit.entry.date : "");
      var p = document.createElement("p");
      p.textContent = snippet(hit.entry, terms);
      li.appendChild(a);
      li.appendChild(meta);
      li.appendChild(p);
      results.appendChild(li);
    });
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  run(initial);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () { run(input.value); });
})();
