// After a form comes back with errors, put the cursor on the first field in error so the
// caseworker can correct it at once from the keyboard.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector(".is-invalid, .errorlist + input, [aria-invalid='true']");
  if (invalid && typeof invalid.focus === "function") {
    invalid.focus();
    if (typeof invalid.select === "function") { invalid.select(); }
  }
});

// A form marked data-confirm (cancelling a filing, voiding a case: nothing undoes them) asks
// first; declining sends nothing.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A submit button marked data-once is disabled after the first click, so a double click
// sends the form once (the server also refuses a replayed submission).
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[data-once]");
  if (button) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
});
