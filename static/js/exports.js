// "All of them" on the board pack form: ticks or clears every decision listed.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const name = all.dataset.checkAll;
  for (const box of all.form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
    box.checked = all.checked;
  }
});
