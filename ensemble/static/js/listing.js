// Espace pro, listing forms: a live character counter under each description. The limit is
// enforced by the server whatever this file does; without it the page shows the count at load.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-counter-for]").forEach((counter) => {
    const input = document.getElementById(counter.dataset.counterFor);
    const limit = parseInt(counter.dataset.limit, 10);
    if (!input || !limit) return;
    const fill = (template, count) =>
      template
        .replace("{count}", count)
        .replace("{limit}", limit)
        .replace("{excess}", count - limit);
    const update = () => {
      // The server counts line breaks as one character, as the browser does in value.
      const count = input.value.trim().length;
      const over = count > limit;
      counter.textContent = fill(over ? counter.dataset.over : counter.dataset.text, count);
      counter.classList.toggle("over", over);
      input.setAttribute("aria-invalid", over ? "true" : "false");
    };
    input.addEventListener("input", update);
    update();
  });
});
