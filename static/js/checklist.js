// The checklist follows the case as it is typed: the server computes it (the rules live in
// one place, reimbursement/models.py), this only asks again when the kind, cost or flags change.
(function () {
  var form = document.querySelector("form[data-checklist-url]");
  if (!form) { return; }
  var target = document.getElementById("checklist");
  var watched = ["kind", "total_cost", "birth", "accidental_injury"];
  var pending = null;

  function showKind() {
    var kind = (form.querySelector("input[name=kind]:checked") || {}).value;
    form.querySelectorAll("[data-kind]").forEach(function (row) {
      row.hidden = kind && row.getAttribute("data-kind") !== kind;
    });
  }
  function refresh() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    watched.concat(["received"]).forEach(function (name) {
      data.getAll(name).forEach(function (value) { params.append(name, value); });
    });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.getAttribute("data-checklist-url") + "?" + params.toString(),
          { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        // Keep ticks made while the answer was on its way.
        var ticked = {};
        target.querySelectorAll("input[name=received]:checked").forEach(function (box) {
          ticked[box.value] = true;
        });
        target.innerHTML = html;
        target.querySelectorAll("input[name=received]").forEach(function (box) {
          if (ticked[box.value]) { box.checked = true; }
        });
      })
      .catch(function () { /* a newer request replaced this one */ });
  }
  form.addEventListener("input", function (event) {
    if (watched.indexOf(event.target.name) >= 0) { showKind(); refresh(); }
  });
  form.addEventListener("change", function (event) {
    if (watched.indexOf(event.target.name) >= 0) { showKind(); refresh(); }
  });
  showKind();
}());
