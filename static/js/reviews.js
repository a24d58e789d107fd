// A refused review step (422), or a move someone else's beat (409), carries the panel with its
// message and the text typed: show it.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var status = evt.detail.xhr.status;
  if ((status === 422 || status === 409) && evt.detail.target && evt.detail.target.id === "review-panel") {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
