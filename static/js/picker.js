// A place picker for the ~340 places of a region select (参保地, 就医地): type characters (海,
// 运城) or pinyin (yc, sxyc, yuncheng) and choose from what matches, by keyboard (↑ ↓ Enter,
// Esc) or mouse. The select stays in the form, hidden, and carries the value; without this
// script it is an ordinary select. The pinyin keys come from core/data/region_keys.json.
(function () {
  var source = document.getElementById("region-keys");
  var keys = source ? JSON.parse(source.textContent) : {};
  var MOST_SHOWN = 60;

  function makePicker(select) {
    var places = Array.prototype.filter.call(select.options, function (option) {
      return option.value;
    }).map(function (option) {
      // The place's own name, without its province (the option's group): 运城市 of 山西省运城市.
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
      var own = group && option.text.indexOf(group) === 0 && option.text !== group ?
        option.text.slice(group.length) : option.text;
      var placeKeys = keys[option.value] || [];
      return { value: option.value, text: option.text, own: own, keys: placeKeys };
    });
    var wrap = document.createElement("div");
    wrap.className = "picker position-relative";
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "_picker";
    input.className = "form-control" + (select.classList.contains("is-invalid") ? " is-invalid" : "");
    input.autocomplete = "off";
    input.placeholder = "输入地名或拼音首字母，如 运城、yc";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.id = select.id + "_choices";
    list.className = "picker-list list-group shadow";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    var label = document.querySelector("label[for='" + select.id + "']");
    if (label) { label.setAttribute("for", input.id); list.setAttribute("aria-label", label.textContent.trim()); }
    wrap.appendChild(input);
    wrap.appendChild(list);
    select.parentNode.insertBefore(wrap, select.nextSibling);
    select.classList.add("d-none");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");

    var matches = [];
    var active = -1;

    function chosenText() {
      return select.value ? select.options[select.selectedIndex].text : "";
    }
    // How well a place matches: its own name starting with what was typed first (海 → 海口市
    // before 上海市), then a match inside it, then one in its province only; -1: no match.
    // Pinyin keys are the own name's first (yc → 运城市), then the province's with it (sxyc).
    function rank(place, query, ascii) {
      if (ascii) {
        var at = -1;
        place.keys.some(function (key, index) {
          if (key.indexOf(query) === 0) { at = index; return true; }
          return false;
        });
        return at;
      }
      var inOwn = place.own.indexOf(query);
      if (inOwn >= 0) { return inOwn; }
      return place.text.indexOf(query) >= 0 ? 100 : -1;
    }
    function matching(query) {
      query = query.trim().toLowerCase();
      if (!query) { return places; }
      var ascii = /^[a-z]+$/.test(query);
      return places.map(function (place, order) {
        return { place: place, rank: rank(place, query, ascii), order: order };
      }).filter(function (found) { return found.rank >= 0; }).sort(function (a, b) {
        return a.rank - b.rank || a.order - b.order;
      }).map(function (found) { return found.place; });
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.textContent = "";
      matches.slice(0, MOST_SHOWN).forEach(function (place, index) {
        var item = document.createElement("li");
        item.id = list.id + "_" + index;
        item.className = "list-group-item list-group-item-action" + (index === active ? " active" : "");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", index === active ? "true" : "false");
        item.textContent = place.text;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the box
          choose(index);
        });
        list.appendChild(item);
      });
      if (!matches.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-muted";
        none.textContent = "没有找到，请换个写法";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.id + "_" + active);
        var current = document.getElementById(list.id + "_" + active);
        if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      var place = matches[index];
      if (!place) { return; }
      select.value = place.value;
      input.value = place.text;
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function open(query) {
      matches = matching(query);
      active = matches.length ? 0 : -1;
      render();
    }

    input.value = chosenText();
    select.addEventListener("change", function () {  // set by another script
      if (document.activeElement !== input) { input.value = chosenText(); }
    });
    input.addEventListener("input", function () { open(input.value); });
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (event) {
      var shownCount = Math.min(matches.length, MOST_SHOWN);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { open(input.value === chosenText() ? "" : input.value); return; }
        if (!shownCount) { return; }
        active = (active + (event.key === "ArrowDown" ? 1 : shownCount - 1)) % shownCount;
        render();
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // choosing a place never sends the form
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        input.value = chosenText();
        close();
      } else if (event.key === "Tab" && !list.hidden && active >= 0 && input.value !== chosenText()) {
        choose(active);
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!input.value.trim()) {
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.value = chosenText();
    });
  }

  document.querySelectorAll("select[data-picker]").forEach(makePicker);
}());
