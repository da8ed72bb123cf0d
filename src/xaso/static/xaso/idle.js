/* Xã Số: warn a minute before the idle logout of a shared computer, let the official carry on,
   and leave the page for the login screen when the time is up (WCAG 2.2.1: timing adjustable). */
(function () {
  var body = document.body;
  var total = Number(body.getAttribute("data-idle-seconds"));
  var box = document.getElementById("idle-warning");
  if (!total || !box) return;
  var full = Number(body.getAttribute("data-idle-full")) || total;
  var left = document.getElementById("idle-left");
  var start = Date.now();
  function warnAt() { return Math.max(total - 60, total * 0.8); }
  /* After "keep working" the server counts the whole timeout again. */
  function reset() { start = Date.now(); total = full; box.hidden = true; }
  function leave() { window.location.href = body.getAttribute("data-idle-url"); }
  document.getElementById("idle-continue").addEventListener("click", function () {
    fetch(body.getAttribute("data-ping-url"), { credentials: "same-origin" })
      .then(function (r) { if (r.status === 204) { reset(); } else { leave(); } })
      .catch(function () { box.hidden = true; });
  });
  /* An htmx request is activity too: the server says how long it will now wait. */
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var remaining = xhr && Number(xhr.getResponseHeader("X-Idle-Remaining"));
    if (remaining) { start = Date.now(); total = remaining; box.hidden = true; }
  });
  setInterval(function () {
    var elapsed = (Date.now() - start) / 1000;
    if (elapsed >= total) { leave(); return; }
    if (elapsed >= warnAt()) {
      if (box.hidden) { box.hidden = false; document.getElementById("idle-continue").focus(); }
      left.textContent = String(Math.ceil(total - elapsed));
    }
  }, 1000);
})();
