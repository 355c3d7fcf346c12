/* tokodesk desk pages (base.html): every behaviour the templates used to carry inline.
 *
 * The pages run under a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval'
 * (config/settings.py, docs/security.md): no <script> blocks, no on*="" handlers, no style
 * attributes. Templates mark elements with data- attributes and this file, loaded once with
 * `defer` after htmx, listens on the document, so content htmx swaps in works the same.
 * Values that must reach CSS (a custom status colour, a progress width) go through the
 * CSSOM (`el.style.setProperty`), which the policy allows.
 */
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // --- the modal dialog (#modal) and its htmx flows -------------------------------------
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "modal-body") {
      var modal = byId("modal");
      if (modal && !modal.open) { modal.showModal(); }
    }
  });
  document.addEventListener("tokodesk:closeModal", function () {
    var modal = byId("modal");
    if (modal && modal.open) { modal.close(); }
  });

  // --- delegated clicks -------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) { return; }
    if (t.matches("[data-close-modal]")) { var modal = byId("modal"); if (modal) { modal.close(); } }
    var el = t.closest("[data-reload]");
    if (el) { window.location.reload(); return; }
    el = t.closest("[data-toggle-open]");
    if (el) { var target = byId(el.dataset.toggleOpen); if (target) { target.toggleAttribute("open"); } return; }
    el = t.closest("[data-select-on-click]");
    if (el && typeof el.select === "function") { el.select(); return; }
    el = t.closest("[data-copy-from]");
    if (el) {
      var source = document.querySelector(el.dataset.copyFrom);
      if (source && navigator.clipboard) { navigator.clipboard.writeText(source.value); }
      if (el.dataset.copied) { el.textContent = el.dataset.copied; }
    }
  });

  // A <select data-submit-on-change> sends its form (sort order, language).
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t instanceof Element && t.matches("[data-submit-on-change]") && t.form) { t.form.submit(); }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    // <form data-confirm="question">: asks before sending.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { e.preventDefault(); return; }
    // A form that opens another tab (WhatsApp): redraw this page's part a moment later, so
    // the timeline shows what the other tab logged.
    if (form.dataset.refreshUrl && window.htmx) {
      var url = form.dataset.refreshUrl, target = form.dataset.refreshTarget;
      setTimeout(function () {
        window.htmx.ajax("GET", url, {target: target, select: target, swap: "outerHTML"});
      }, 1200);
    }
  });

  // --- values for CSS through the CSSOM --------------------------------------------------
  var HEX = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;
  function applyStyles(root) {
    if (!root || !root.querySelectorAll) { return; }
    var els = Array.prototype.slice.call(root.querySelectorAll("[data-rt-colour], [data-width-pct]"));
    if (root.matches && root.matches("[data-rt-colour], [data-width-pct]")) { els.push(root); }
    els.forEach(function (el) {
      var colour = el.dataset.rtColour;
      if (colour && HEX.test(colour)) { el.style.setProperty("--rt-colour", colour); }
      if (el.dataset.widthPct !== undefined) {
        var n = Math.max(0, Math.min(100, parseInt(el.dataset.widthPct, 10) || 0));
        el.style.width = n + "%";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyStyles(document); });
  document.addEventListener("htmx:load", function (e) { applyStyles(e.detail && e.detail.elt); });
  // Right after a swap too (same task, before the browser paints the new content).
  document.addEventListener("htmx:afterSwap", function () { applyStyles(document.body); });
  document.addEventListener("htmx:oobAfterSwap", function () { applyStyles(document.body); });

  // --- the main menu's groups (base.html): one open at a time; a click elsewhere or Escape closes it
  function closeNavGroups(except) {
    document.querySelectorAll("details[data-navgroup][open]").forEach(function (g) {
      if (g !== except) { g.open = false; }
    });
  }
  document.addEventListener("click", function (e) {
    var group = e.target instanceof Element ? e.target.closest("details[data-navgroup]") : null;
    closeNavGroups(group);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeNavGroups(null); }
  });

  // --- the row menu of the orders list: load its items when it opens ---------------------
  // (an hx-trigger filter such as toggle[this.open] would need eval, which the policy forbids)
  document.addEventListener("toggle", function (e) {
    var menu = e.target;
    if (menu instanceof HTMLDetailsElement && menu.open && menu.hasAttribute("data-menu-load") && window.htmx) {
      window.htmx.trigger(menu, "menu-open");
    }
  }, true);

  // A menu closes once one of its actions is chosen: its modal or its answer follows, and
  // the menu is not left open behind them.
  document.addEventListener("click", function (e) {
    var item = e.target instanceof Element && e.target.closest("details.menu .menu-items button[data-action]");
    if (item) { var menu = item.closest("details.menu"); if (menu) { menu.open = false; } }
  });

  // --- orders list: the bulk bar follows the ticked rows ---------------------------------
  function refreshBulk() {
    var bar = byId("bulk");
    if (!bar) { return; }
    var boxes = document.querySelectorAll("input.rowcheck:checked");
    var count = byId("selected-count");
    if (count) { count.textContent = boxes.length; }
    bar.classList.toggle("show", boxes.length > 0);
    bar.querySelectorAll("input[name=refs]").forEach(function (el) { el.remove(); });
    boxes.forEach(function (box) {
      var h = document.createElement("input"); h.type = "hidden"; h.name = "refs"; h.value = box.value; bar.appendChild(h);
    });
  }
  document.addEventListener("change", function (e) {
    if (!(e.target instanceof Element)) { return; }
    if (e.target.matches("#check-all")) {
      document.querySelectorAll("input.rowcheck").forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.matches("input.rowcheck, #check-all")) { refreshBulk(); }
  });
  document.addEventListener("htmx:afterSettle", refreshBulk);

  // --- orders list: the export menu (exports/_export_button.html) ------------------------
  var EXPORT_KEY = "tokodesk.exportTemplate";
  function checkedRefs() {
    return Array.prototype.map.call(document.querySelectorAll("input.rowcheck:checked"), function (b) { return b.value; });
  }
  function exportParts() {
    var menu = byId("export-menu");
    if (!menu) { return null; }
    var form = menu.querySelector("form");
    return {
      menu: menu, form: form,
      template: form.querySelector("select[name=template]"),
      selected: form.querySelector("input[name=scope][value=selected]"),
      all: form.querySelector("input[name=scope][value=all]"),
    };
  }
  function exportSync() {
    var p = exportParts();
    if (!p) { return; }
    if (!p.menu.dataset.ready) {  // first sight of this menu: the template chosen last time
      p.menu.dataset.ready = "1";
      try {
        var last = window.localStorage.getItem(EXPORT_KEY);
        if (last && p.template.querySelector('option[value="' + CSS.escape(last) + '"]')) { p.template.value = last; }
      } catch (err) { /* storage disabled */ }
    }
    var refs = checkedRefs();
    var box = document.querySelector("#bulk input[name=select_all]");
    var count = p.menu.querySelector("[data-export-count]");
    if (count) { count.textContent = refs.length; }
    p.selected.disabled = refs.length === 0;
    if (refs.length && !(box && box.checked)) { p.selected.checked = true; } else { p.all.checked = true; }
  }
  document.addEventListener("toggle", function (e) {
    if (e.target instanceof Element && e.target.id === "export-menu" && e.target.open) { exportSync(); }
  }, true);
  document.addEventListener("change", function (e) {
    if (e.target instanceof Element && e.target.matches("input.rowcheck, #check-all, #bulk input[name=select_all]")) { exportSync(); }
  });
  document.addEventListener("htmx:afterSettle", exportSync);
  document.addEventListener("DOMContentLoaded", exportSync);
  document.addEventListener("submit", function (e) {
    var p = exportParts();
    if (!p || e.target !== p.form) { return; }
    try { window.localStorage.setItem(EXPORT_KEY, p.template.value); } catch (err) { /* ignore */ }
    p.form.querySelectorAll("input[name=refs]").forEach(function (el) { el.remove(); });
    if (p.selected.checked) {
      checkedRefs().forEach(function (ref) {
        var h = document.createElement("input");
        h.type = "hidden"; h.name = "refs"; h.value = ref; p.form.appendChild(h);
      });
    }
    p.form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    // A small export downloads and leaves the page as it is: close the menu.
    setTimeout(function () { p.menu.open = false; }, 0);
  });

  // --- export template editor (exports/template_edit.html) -------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("#template-columns tbody");
    if (!body) { return; }
    function renumber() {
      var n = 0;
      body.querySelectorAll("tr").forEach(function (tr) {
        var on = tr.querySelector("input[type=checkbox]"), pos = tr.querySelector("td.pos input");
        tr.classList.toggle("off", !on.checked);
        if (on.checked) { n += 1; pos.value = n; } else { pos.value = ""; }
      });
    }
    body.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-move]");
      if (!btn) { return; }
      var tr = btn.closest("tr");
      if (btn.dataset.move === "-1" && tr.previousElementSibling) { body.insertBefore(tr, tr.previousElementSibling); }
      if (btn.dataset.move === "1" && tr.nextElementSibling) { body.insertBefore(tr.nextElementSibling, tr); }
      var on = tr.querySelector("input[type=checkbox]");
      if (!on.checked) { on.checked = true; }
      renumber();
    });
    body.addEventListener("change", function (e) { if (e.target.type === "checkbox") { renumber(); } });
  });

  // --- edit order (orders/edit.html): one more product row --------------------------------
  document.addEventListener("click", function (e) {
    if (!(e.target instanceof Element) || !e.target.closest("#add-line")) { return; }
    var template = byId("line-template"), total = byId("id_lines-TOTAL_FORMS");
    if (!template || !total) { return; }  // the manual order's button is htmx's
    var n = parseInt(total.value, 10);
    byId("line-rows").insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, n));
    total.value = n + 1;
  });

  // --- manual order (orders/create.html) ---------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    var form = byId("order-form");
    if (!form || !form.hasAttribute("data-manual-order")) { return; }
    // A known customer: fill the empty fields (or all of them when asked twice).
    document.addEventListener("click", function (e) {
      if (!(e.target instanceof Element)) { return; }
      var fill = e.target.closest("[data-fill-customer]");
      if (fill) {
        ["name", "email", "address", "city", "postcode"].forEach(function (name) {
          var input = form.elements[name];
          if (input && fill.dataset[name]) { input.value = fill.dataset[name]; }
        });
        fill.textContent = fill.dataset.done || fill.textContent;
        return;
      }
      var remove = e.target.closest("[data-remove-line]");
      if (remove) {
        var row = remove.closest("[data-line]");
        var body = row.parentNode;
        row.remove();
        if (!body.querySelector("[data-line]")) { byId("add-line").click(); }
        window.htmx.trigger(document.body, "linesChanged");
      }
    });
    // Show the chosen variant's price and stock in its row; warn above the available stock.
    function refreshRow(row) {
      var select = row.querySelector("[data-variant]");
      var option = select.options[select.selectedIndex];
      var known = option && option.dataset.price;
      row.querySelector("[data-cell=price]").textContent = known ? option.dataset.price : "—";
      row.querySelector("[data-cell=available]").textContent = known ? option.dataset.available : "—";
      row.querySelector("[name=unit_price]").placeholder = known ? option.dataset.priceMajor : "";
      var qty = parseInt(row.querySelector("[name=qty]").value, 10);
      row.querySelector("[data-stock-warning]").hidden = !(known && qty > parseInt(option.dataset.available, 10));
    }
    form.addEventListener("change", function (e) {
      var row = e.target.closest("[data-line]");
      if (row) { refreshRow(row); }
    });
    form.addEventListener("input", function (e) {
      var row = e.target.closest("[data-line]");
      if (row && e.target.name === "qty") { refreshRow(row); }
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      form.querySelectorAll("[data-line]").forEach(refreshRow);
    });
    form.querySelectorAll("[data-line]").forEach(refreshRow);
    // One order per click: the button waits while the order is created.
    form.addEventListener("submit", function () {
      var button = byId("create-order");
      setTimeout(function () { button.disabled = true; }, 0);
    });
    window.addEventListener("pageshow", function () { byId("create-order").disabled = false; });
    var firstError = document.querySelector(".mo-step .has-error input, .mo-step .has-error select, .mo-step .has-error textarea");
    if (firstError) { firstError.focus(); }
  });
})();
