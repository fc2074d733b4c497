// After a form comes back with errors, put the cursor on the first field in error so the
// caseworker can correct it at once from the keyboard.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector(".is-invalid, .errorlist + input, [aria-invalid='true']");
  if (invalid && typeof invalid.focus === "function") {
    invalid.focus();
    if (typeof invalid.select === "function") { invalid.select(); }
  }
});
