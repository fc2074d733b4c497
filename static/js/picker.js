// A place picker for the ~340 places of a region select (参保地, 就医地): type characters (海,
// 运城) or pinyin (yc, sxyc, yuncheng) and choose from what matches, by keyboard (↑ ↓ Enter,
// Esc) or mouse. The select stays in the form, hidden, and carries the value. The page sends
// the chosen place only: the places and their pinyin keys come from the static file named by
// the select's data-places (static/data/places.json, written by core/region_keys.py), which
// the browser fetches once and keeps.
(function () {
  var keys = {};
  var frequentSource = document.getElementById("region-frequent");
  var frequent = frequentSource ? JSON.parse(frequentSource.textContent) : [];
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
    // How well a place matches, a tier (lower is better; -1: no match). Pinyin: a key equal
    // to what was typed (gz: 广州 and 赣州 alike; guangzhou: 广州 alone), then a key starting
    // with it. Characters: the name itself (广州, 广州市) or a city of a place filed at
    // province level (海口 → 海南省), then a name starting with it, then one containing it,
    // then its province only. Keys: pinyin of the own name (yc → 运城市), of the province
    // with it (sxyc), and the cities of a province-level place (core/region_keys.py).
    function rank(place, query, ascii) {
      var tier = -1;
      place.keys.forEach(function (key) {
        var isAscii = /^[a-z]+$/.test(key);
        if (isAscii !== ascii) { return; }
        var found = key === query ? 0 : (key.indexOf(query) === 0 ? 1 : -1);
        if (found >= 0 && !ascii) { place.via = key; }
        if (found >= 0 && (tier < 0 || found < tier)) { tier = found; }
      });
      if (ascii) { return tier; }
      var short = place.own.replace(/(市|地区|盟)$/, "");
      if (place.own === query || short === query) { place.via = ""; return 0; }
      if (place.own.indexOf(query) === 0) { place.via = ""; return tier === 0 ? 0 : 1; }
      if (tier >= 0) { return tier; }
      if (place.own.indexOf(query) > 0) { return 2; }
      return place.text.indexOf(query) >= 0 ? 3 : -1;
    }
    // Among places that match alike: this county's most-filed care regions, then province
    // capitals and the places filed at province level (XX0100, XX0000), then the official order.
    function weight(place) {
      var at = frequent.indexOf(place.value);
      if (at >= 0) { return at; }
      return /(0100|0000)$/.test(place.value) ? 50 : 100;
    }
    function matching(query) {
      query = query.trim().toLowerCase();
      if (!query) { return places.map(function (place) { place.tier = 0; return place; }); }
      var ascii = /^[a-z]+$/.test(query);
      return places.map(function (place, order) {
        place.via = "";
        return { place: place, rank: rank(place, query, ascii), order: order };
      }).filter(function (found) { return found.rank >= 0; }).sort(function (a, b) {
        return a.rank - b.rank || weight(a.place) - weight(b.place) || a.order - b.order;
      }).map(function (found) { found.place.tier = found.rank; return found.place; });
    }
    // One key never files the wrong city: when the best two match alike (gz: 广州, 赣州), no
    // place is taken by Enter or Tab until one is picked with ↑ ↓ or more is typed.
    function ambiguous() {
      return matches.length > 1 && matches[0].tier === matches[1].tier;
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.textContent = "";
      if (active < 0 && ambiguous() && input.value.trim()) {
        var hint = document.createElement("li");
        hint.className = "list-group-item list-group-item-warning small picker-hint";
        hint.setAttribute("role", "presentation");
        hint.textContent = "有多个地方符合，请按 ↓ ↑ 选择，或多输入几个字";
        list.appendChild(hint);
      }
      matches.slice(0, MOST_SHOWN).forEach(function (place, index) {
        var item = document.createElement("li");
        item.id = list.id + "_" + index;
        item.className = "list-group-item list-group-item-action" + (index === active ? " active" : "");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", index === active ? "true" : "false");
        item.textContent = place.via ? place.text + "（含" + place.via + "，备案到省级）" : place.text;
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
      active = matches.length && !(query.trim() && ambiguous()) ? 0 : -1;
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
        if (active < 0) {
          active = event.key === "ArrowDown" ? 0 : shownCount - 1;
        } else {
          active = (active + (event.key === "ArrowDown" ? 1 : shownCount - 1)) % shownCount;
        }
        render();
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // choosing a place never sends the form
        if (active >= 0) { choose(active); }
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

  // The select's options, all of them, its chosen value kept.
  function fill(select, groups) {
    var chosen = select.value;
    var blank = select.querySelector("option[value='']");
    select.textContent = "";
    if (blank) { select.appendChild(blank); }
    groups.forEach(function (group) {
      var optgroup = document.createElement("optgroup");
      optgroup.label = group[0];
      group[1].forEach(function (place) {
        optgroup.appendChild(new Option(place[1], place[0], false, place[0] === chosen));
      });
      select.appendChild(optgroup);
    });
    select.value = chosen;
  }

  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-picker]"));
  var address = selects.length && selects[0].getAttribute("data-places");
  if (!address) { selects.forEach(makePicker); return; }
  fetch(address, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error(response.status); }
    return response.json();
  }).then(function (places) {
    keys = places.keys;
    selects.forEach(function (select) { fill(select, places.groups); makePicker(select); });
  }).catch(function () {
    selects.forEach(function (select) {
      var warning = document.createElement("div");
      warning.className = "alert alert-warning mt-1";
      warning.setAttribute("role", "alert");
      warning.textContent = "地名列表未能载入，请刷新页面后再选择。";
      select.parentNode.insertBefore(warning, select.nextSibling);
    });
  });
}());
