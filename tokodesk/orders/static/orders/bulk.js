/* The orders page's bulk bar (orders/_bulk_bar.html): offer only the actions at least one
 * ticked order allows. Each action's <option> names the statuses it starts from
 * (data-sources); each row or card carries its order's status (data-status). With "all
 * under this filter" ticked, the orders are not all on the page: every action stays.
 * Runs under the page's CSP (a static file, no inline code). */
(function () {
  "use strict";

  function refresh() {
    var bar = document.getElementById("bulk");
    if (!bar) { return; }
    var select = bar.querySelector("select[data-bulk-operation]");
    var all = bar.querySelector("input[name=select_all]");
    var counts = {};
    document.querySelectorAll("input.rowcheck:checked").forEach(function (box) {
      var holder = box.closest("[data-status]");
      var status = holder ? holder.getAttribute("data-status") : "";
      counts[status] = (counts[status] || 0) + 1;
    });
    var everything = all && all.checked;
    var offered = 0;
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.dataset.sources) { return; }
      var n = 0;
      option.dataset.sources.split(" ").forEach(function (status) { n += counts[status] || 0; });
      var show = everything || n > 0;
      option.hidden = !show;
      option.disabled = !show;
      option.textContent = option.dataset.label + (everything || !n ? "" : " (" + n + ")");
      if (show) { offered += 1; }
      if (!show && option.selected) { select.value = ""; }
    });
    var none = bar.querySelector("[data-bulk-none]");
    if (none) { none.hidden = everything || offered > 0 || !Object.keys(counts).length; }
  }

  document.addEventListener("change", function (e) {
    if (e.target instanceof Element && e.target.matches("input.rowcheck, #check-all, #bulk input[name=select_all]")) {
      setTimeout(refresh, 0);  // after app.js ticks every row for #check-all
    }
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
