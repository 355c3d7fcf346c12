/* Dispatch (dispatch/views.py), under the page's CSP (a static file, no inline code).
 * 1. The orders page's dispatch bar (orders/_bulk_bar.html, To ship tab): shown while orders
 *    are ticked; on submit it carries the ticked orders as `refs`.
 * 2. The AWB table (shipping/dispatch_awb.html): scanner-friendly. A barcode scanner types
 *    the AWB then Enter: Enter moves to the next row's AWB instead of submitting; on the last
 *    row it goes to the Ship button. */
(function () {
  "use strict";

  function ticked() {
    return Array.prototype.map.call(document.querySelectorAll("input.rowcheck:checked"), function (b) { return b.value; });
  }

  function refreshBar() {
    var bar = document.getElementById("dispatch-bar");
    if (!bar) { return; }
    var refs = ticked();
    bar.classList.toggle("show", refs.length > 0);
    var count = bar.querySelector("[data-dispatch-count]");
    if (count) { count.textContent = refs.length; }
  }

  document.addEventListener("change", function (e) {
    if (e.target instanceof Element && e.target.matches("input.rowcheck, #check-all")) { setTimeout(refreshBar, 0); }
  });
  document.addEventListener("htmx:afterSettle", refreshBar);
  document.addEventListener("DOMContentLoaded", refreshBar);

  document.addEventListener("submit", function (e) {
    var bar = e.target;
    if (!(bar instanceof HTMLFormElement) || bar.id !== "dispatch-bar") { return; }
    bar.querySelectorAll("input[name=refs]").forEach(function (el) { el.remove(); });
    ticked().forEach(function (ref) {
      var h = document.createElement("input");
      h.type = "hidden"; h.name = "refs"; h.value = ref; bar.appendChild(h);
    });
  });

  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (e.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.matches("[data-awb-input]")) { return; }
    e.preventDefault();
    var inputs = Array.prototype.slice.call(document.querySelectorAll("[data-awb-input]"));
    var next = inputs[inputs.indexOf(input) + 1];
    if (next) {
      next.focus();
      next.select();
    } else {
      var submit = document.querySelector("[data-awb-submit]");
      if (submit) { submit.focus(); }
    }
  });
})();
