// The filing form offers only the chosen category's materials and the evidence it accepts, and
// copies what is chosen into the letter shown before the signature. The parts of the form that
// a choice needs (the agent's fields, 转出医院, the signature) are shown by portal.js. The rules
// are the server's (filing/forms.py); "category-needs" is what they ask of each category, and
// without this script everything shows and the server checks the same.
(function () {
  var form = document.getElementById("filing-form");
  if (!form) { return; }
  var needs = JSON.parse(document.getElementById("category-needs").textContent);

  function field(name) { return form.elements.namedItem(name); }

  function valueOf(name) {
    var input = field(name);
    if (!input) { return ""; }
    if (input.type === "checkbox") { return input.checked ? "on" : ""; }
    return input.value || "";
  }

  function labelOf(input) {
    var label = form.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.trim() : input.value;
  }

  function shown(name) {
    var input = field(name);
    if (!input) { return ""; }
    if (input.tagName === "SELECT") {
      return input.value ? input.options[input.selectedIndex].text : "";
    }
    if (typeof input.length === "number" && !input.tagName) {  // a group of radio buttons
      var checked = Array.prototype.filter.call(input, function (radio) { return radio.checked; });
      return checked.length ? labelOf(checked[0]) : "";
    }
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
    if (match) { return match[1] + "年" + Number(match[2]) + "月" + Number(match[3]) + "日"; }
    return input.value.trim();
  }

  // Only the chosen category's materials and the evidence it accepts are offered.
  function offerForCategory() {
    var need = needs[valueOf("category")];
    form.querySelectorAll("input[name=sighted]").forEach(function (box) {
      var wrap = box.closest(".form-check");
      wrap.hidden = Boolean(need) && need.materials.indexOf(box.value) < 0;
      if (wrap.hidden) { box.checked = false; }
    });
    var kind = field("scan_kind");
    Array.prototype.forEach.call(kind.options, function (option) {
      option.hidden = Boolean(need && option.value) && need.materials.indexOf(option.value) < 0;
      option.disabled = option.hidden;
      if (option.hidden && option.selected) { kind.value = ""; }
    });
    var radios = form.querySelectorAll("input[name=evidence]");
    radios.forEach(function (radio) {
      var wrap = radio.closest(".form-check");
      wrap.hidden = Boolean(need) && need.evidence.indexOf(radio.value) < 0;
      if (wrap.hidden) { radio.checked = false; }
    });
    if (need && need.evidence.length === 1) {
      form.querySelector("input[name=evidence][value='" + need.evidence[0] + "']").checked = true;
    }
  }

  function update() {
    offerForCategory();  // then portal.js shows the parts and disables what is hidden
    var need = needs[valueOf("category")];
    form.querySelectorAll("[data-echo]").forEach(function (cell) {
      var name = cell.getAttribute("data-echo");
      var empty = name === "end_date" && need && need.indefinite ? "长期" : cell.getAttribute("data-empty");
      cell.textContent = shown(name) || empty || "";
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();

  // 补办 (or an emergency already admitted) starts on the admission date [004]: choosing the
  // date, or ticking 补办 once it is there, sets the start date to it.
  function startOnAdmission(event) {
    var name = event.target.name;
    if (name !== "admission_date" && name !== "late_filing" && name !== "category") { return; }
    var admitted = valueOf("admission_date");
    var stayBegun = valueOf("late_filing") || valueOf("category") === "emergency";
    if (admitted && stayBegun && /^\d{4}-\d{2}-\d{2}$/.test(admitted)) {
      field("start_date").value = admitted;
      update();
    }
  }
  form.addEventListener("change", startOnAdmission);

  // 确认信息 before 提交 [002]: the form is checked by the server without being written (a post
  // without `confirmed`), and what it would file is shown here, the files still chosen in the
  // form; 确认提交 then sends the form itself. A form with errors comes back as a page.
  function showConfirmation(panel, filesKept) {
    var note = panel.querySelector("[data-no-js]");
    if (note && filesKept) { note.remove(); }
    form.hidden = true;
    panel.querySelector("#confirm-edit").addEventListener("click", function () {
      panel.remove();
      form.hidden = false;
      var place = document.getElementById("id_care_region_code_picker") || field("care_region_code");
      if (place) { place.focus(); }
    });
    panel.querySelector("#confirm-submit").addEventListener("click", function () {
      var button = this;
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
    panel.focus();
    window.scrollTo(0, 0);
  }
  var rendered = document.getElementById("filing-confirm");
  if (rendered) { showConfirmation(rendered, false); }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "confirmed") { return; }
    if (!window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    var next = document.getElementById("filing-next");
    next.disabled = true;
    fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var panel = page.getElementById("filing-confirm");
      next.disabled = false;
      if (!panel) { HTMLFormElement.prototype.submit.call(form); return; }
      var old = document.getElementById("filing-confirm");
      if (old) { old.remove(); }
      panel = document.importNode(panel, true);
      form.parentNode.insertBefore(panel, form);
      showConfirmation(panel, true);
    }).catch(function () {
      next.disabled = false;
      HTMLFormElement.prototype.submit.call(form);
    });
  });
}());
