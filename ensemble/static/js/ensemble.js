// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Quantity fields of per-person options follow their checkbox.
  document.querySelectorAll("[data-quantity-for]").forEach((input) => {
    const box = document.getElementById(input.dataset.quantityFor);
    if (!box) return;
    const sync = () => { if (box.checked && !input.value) input.value = "1"; };
    box.addEventListener("change", sync);
  });
  // Confirm destructive staff actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
