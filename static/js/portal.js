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

// A form marked data-reload-after prints in a new tab what it records here (打印并当场签署):
// this page is read again once the new tab is under way, so that it shows what was recorded.
document.addEventListener("submit", function (event) {
  if (event.target.hasAttribute("data-reload-after") && !event.defaultPrevented) {
    window.setTimeout(function () { window.location.reload(); }, 1500);
  }
});

// A line marked data-reload-in="N" (a report the worker is counting) reads the page again
// after N seconds, until it is gone; without this script, its link does.
document.addEventListener("DOMContentLoaded", function () {
  var line = document.querySelector("[data-reload-in]");
  if (line) {
    var seconds = parseInt(line.getAttribute("data-reload-in"), 10) || 2;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
});

// Parts of a form that only some choices need (data-show-when="by_agent", "category=referral,
// emergency", "!by_agent"; several joined by "|": any of them) show only then. A hidden part's
// fields are disabled, so what was typed there before another choice is not sent either.
// Without this script every part shows, and the server checks the same rules.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when]")) { return; }
    function valueOf(name) {
      var input = form.elements.namedItem(name);
      if (!input) { return ""; }
      if (input.type === "checkbox") { return input.checked ? "on" : ""; }
      return input.value || "";
    }
    function holds(condition) {
      return condition.split("|").some(function (part) {
        var negated = part.charAt(0) === "!";
        var bits = (negated ? part.slice(1) : part).split("=");
        var current = valueOf(bits[0]);
        var met = bits.length > 1 ? bits[1].split(",").indexOf(current) >= 0 : current !== "";
        return negated ? !met : met;
      });
    }
    function update() {
      form.querySelectorAll("[data-show-when]").forEach(function (part) {
        part.hidden = !holds(part.getAttribute("data-show-when"));
      });
      form.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (input.type === "hidden" && !input.closest("[data-show-when]")) { return; }
        input.disabled = Boolean(input.closest("[hidden]"));
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  });
});
