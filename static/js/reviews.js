// A refused review step (422) carries the panel with its message and the text typed: show it.
document.addEventListener("htmx:beforeSwap", function (evt) {
  if (evt.detail.xhr.status === 422 && evt.detail.target && evt.detail.target.id === "review-panel") {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
