// Back office, a screen's page: the button that copies its secret URL (the field stays
// selectable by hand without this file).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var say = function (attribute) {
        if (status) status.textContent = button.getAttribute(attribute);
      };
      // The older command when the browser refuses the clipboard (no focus, no permission);
      // if both fail, the address stays selected and the status says to copy it by hand.
      var fallback = function () {
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        say(copied ? "data-copied" : "data-copy-failed");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(function () { say("data-copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });
});
