// Camera scanning on /verify where the browser has BarcodeDetector: the code read fills the
// payload field and the form is sent. Without it (or without JavaScript) the page works by
// pasting the text or uploading a photo of the code.
(function () {
  "use strict";
  var box = document.getElementById("camera");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var field = document.getElementById("payload");
  box.hidden = false;
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var scan = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length > 0) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            field.value = codes[0].rawValue;
            field.form.submit();
            return;
          }
          window.requestAnimationFrame(scan);
        }, function () { window.requestAnimationFrame(scan); });
      };
      scan();
    }, function () { box.hidden = true; });
  });
})();
