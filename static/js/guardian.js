// A newborn's guardian is picked from the household's members (registry/views/enrollments.py,
// household_members): once the 户号 of a new resident is typed, the list is filled with that
// household's members of guardian age. Without this script the list fills when the form is
// sent back with a message.
document.addEventListener("DOMContentLoaded", function () {
  var number = document.getElementById("id_household_number");
  var list = document.getElementById("id_guardian_member");
  if (!number || !list) { return; }
  var url = list.form.getAttribute("data-members-url");
  function fill() {
    var typed = number.value.trim();
    if (!typed) { return; }
    fetch(url + "?number=" + encodeURIComponent(typed), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { members: [] }; })
      .then(function (answer) {
        var chosen = list.value;
        while (list.options.length > 1) { list.remove(1); }
        list.options[0].text = answer.members.length ? "户外人员（在下面填写）" : "—";
        answer.members.forEach(function (member) {
          list.add(new Option(member[1], String(member[0]), false, String(member[0]) === chosen));
        });
        list.dispatchEvent(new Event("change", { bubbles: true }));
      });
  }
  number.addEventListener("change", fill);
  fill();
});
