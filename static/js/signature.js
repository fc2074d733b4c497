// A signature drawn with a finger, a stylus or a signature pad (all arrive as pointer
// events), sent with the form as a PNG data: URI in the hidden "signature" field.
(function () {
  var canvas = document.getElementById("signature-pad");
  if (!canvas) { return; }
  var field = document.getElementById("id_signature");
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;
  context.lineWidth = 3;
  context.lineCap = "round";
  context.strokeStyle = "#000";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width,
            (event.clientY - box.top) * canvas.height / box.height];
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    var p = point(event);
    context.beginPath();
    context.moveTo(p[0], p[1]);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    context.lineTo(p[0], p[1]);
    context.stroke();
    drawn = true;
  });
  canvas.addEventListener("pointerup", function () { drawing = false; });
  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    field.value = "";
  });
  canvas.form = canvas.closest("form");
  canvas.form.addEventListener("submit", function () {
    if (drawn) { field.value = canvas.toDataURL("image/png"); }
  });
}());
