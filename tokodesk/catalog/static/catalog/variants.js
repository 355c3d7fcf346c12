// The product form's "Add variant": a copy of the empty row with the formset's next index.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("[data-add-variant]");
    if (!button) { return; }
    var rows = document.getElementById("variant-rows");
    var template = document.getElementById("variant-template");
    var prefix = rows.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild && rows.lastElementChild.querySelector("input[name$='-sku']");
    if (added) { added.focus(); }
  });
}());
