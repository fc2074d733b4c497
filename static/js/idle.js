// The idle logout (30 minutes without a request, security/middleware.py), warned of five
// minutes before, with 继续办理; and nothing typed is lost to it. Typing counts as being there:
// it tells the server so, at most every five minutes. A form being filled is kept in this tab's
// sessionStorage (never a file, a password or a hidden token), and put back when the same user
// comes back to the same page through the login the timeout asked for; every other page load
// forgets it, and another user never sees it.
(function () {
  var body = document.body;
  var limit = Number(body.getAttribute("data-idle-seconds")) * 1000;
  if (!limit || !window.sessionStorage) { return; }
  var keepAliveUrl = body.getAttribute("data-keep-alive");
  var user = body.getAttribute("data-user");
  var WARN_BEFORE = 5 * 60 * 1000;
  var TYPING_TELLS_EVERY = 5 * 60 * 1000;
  var PREFIX = "portal-draft:";
  var here = location.pathname + location.search;
  var lastContact = Date.now();
  var dialog = null;
  var leaving = false;

  // Drafts ---------------------------------------------------------------------------------
  var forms = Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" && fillable(form).length;
  });

  function fillable(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.tagName !== "BUTTON" &&
        ["hidden", "file", "password", "submit", "button"].indexOf(element.type) < 0;
    });
  }
  function key(index) { return PREFIX + user + ":" + here + ":" + index; }
  function save(form, index, how) {
    var values = {};
    fillable(form).forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        values[element.name] = values[element.name] || [];
        if (element.checked) { values[element.name].push(element.value); }
      } else {
        values[element.name] = element.value;
      }
    });
    sessionStorage.setItem(key(index), JSON.stringify({ values: values, how: how || "typed" }));
  }
  function restore(form, values) {
    fillable(form).forEach(function (element) {
      if (!(element.name in values)) { return; }
      var value = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = value.indexOf(element.value) >= 0;
      } else {
        if (element.tagName === "SELECT" && value &&
            !Array.prototype.some.call(element.options, function (o) { return o.value === value; })) {
          // A place picker's select holds the chosen place only until its list arrives
          // (picker.js), which keeps the value it finds chosen.
          element.appendChild(new Option(value, value));
        }
        element.value = value;
      }
      // Tells the place pickers and the parts shown (filing.js) what changed.
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  function takeBackDrafts() {
    var cameFromLogin = document.referrer.indexOf("/login/") >= 0;
    var restored = false;
    Object.keys(sessionStorage).forEach(function (name) {
      if (name.indexOf(PREFIX) !== 0) { return; }
      var draft = JSON.parse(sessionStorage.getItem(name));
      sessionStorage.removeItem(name);
      var index = forms.length ? Number(name.slice(name.lastIndexOf(":") + 1)) : -1;
      var mine = name === key(index);
      var lostToLogout = draft.how === "timeout" || (draft.how === "sent" && cameFromLogin);
      if (mine && lostToLogout && forms[index]) {
        restore(forms[index], draft.values);
        restored = true;
      }
    });
    if (restored) {
      var note = document.createElement("div");
      note.className = "alert alert-info";
      note.setAttribute("role", "status");
      note.textContent = "已恢复退出登录前填写的内容（扫描件、签名需重新选择或书写），请核对后提交。";
      document.querySelector("main").insertBefore(note, document.querySelector("main").firstChild);
    }
  }
  takeBackDrafts();
  forms.forEach(function (form, index) {
    form.addEventListener("input", function () { save(form, index); });
    form.addEventListener("change", function () { save(form, index); });
    form.addEventListener("submit", function () { save(form, index, "sent"); });
  });

  // The warning and the logout -----------------------------------------------------------
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function timedOut() {
    if (leaving) { return; }
    leaving = true;
    forms.forEach(function (form, index) { save(form, index, "timeout"); });
    location.href = here;  // the server signs out and asks for the login, then comes back here
  }
  function tellServer() {
    lastContact = Date.now();
    return fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      redirect: "manual",
    }).then(function (response) {
      if (response.status !== 204) { timedOut(); }
    }).catch(function () { /* offline a moment: the next tick or click tries again */ });
  }
  function showWarning() {
    dialog = document.createElement("div");
    dialog.className = "idle-warning shadow border rounded bg-white p-3";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "idle-title");
    dialog.setAttribute("aria-describedby", "idle-text");
    dialog.innerHTML = '<h2 class="h5" id="idle-title">即将自动退出</h2>' +
      '<p id="idle-text">已较长时间没有操作，<strong class="idle-left"></strong>后将自动退出登录。' +
      "已填写的内容会保留，重新登录后可继续。</p>" +
      '<button type="button" class="btn btn-primary btn-lg idle-continue">继续办理</button>';
    body.appendChild(dialog);
    var button = dialog.querySelector(".idle-continue");
    button.addEventListener("click", function () {
      tellServer();
      hideWarning();
    });
    tick();
    button.focus();
  }
  function hideWarning() {
    if (dialog) { dialog.remove(); dialog = null; }
  }
  function tick() {
    var left = lastContact + limit - Date.now();
    if (left <= 0) { timedOut(); return; }
    if (left <= WARN_BEFORE && !dialog) { showWarning(); return; }
    if (dialog) {
      var seconds = Math.ceil(left / 1000);
      dialog.querySelector(".idle-left").textContent =
        Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒";
    }
  }
  ["keydown", "input", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (dialog && dialog.contains(event.target)) { return; }
      if (!dialog && Date.now() - lastContact > TYPING_TELLS_EVERY) { tellServer(); }
    }, true);
  });
  setInterval(tick, 1000);
}());
