/* The buyer's pages (storefront/public_base.html): landing page, thank-you page, return
 * request. Loaded with `defer` (after the page is parsed); no inline script or handler,
 * as the pages run under a Content-Security-Policy without 'unsafe-inline'. */
// --- landing page: subtotal and quantity stepper (storefront/landing.html)
(function () {
  var form = document.getElementById("order-form");
  if (!form) return;
  // How the page writes money (core.l10n.money_pattern, from the server's own formatting):
  // the totals below read exactly as the prices the server wrote ("Rp 75.000", "75,00 €").
  var fmt = JSON.parse(form.dataset.moneyFormat);
  var qty = form.querySelector("#id_qty");
  var out = form.querySelector("[data-subtotal]");
  var calc = form.querySelector("[data-calc]");
  function money(amount) {  // amount: minor units, as the server sends prices
    var n = amount, shift = fmt.decimals - fmt.exponent;
    if (shift > 0) n = n * Math.pow(10, shift);
    else if (shift < 0) {  // fewer digits shown than the currency has: half to even, as Babel
      var q = Math.pow(10, -shift), r = Math.floor(n / q), rest = n - r * q;
      if (rest * 2 > q || (rest * 2 === q && r % 2 === 1)) r += 1;
      n = r;
    }
    var digits = String(n);
    while (digits.length <= fmt.decimals) digits = "0" + digits;
    var whole = fmt.decimals ? digits.slice(0, -fmt.decimals) : digits;
    var fraction = fmt.decimals ? fmt.decimal + digits.slice(-fmt.decimals) : "";
    if (fmt.primary && whole.length >= fmt.primary + fmt.min_group) {
      var grouped = whole.slice(-fmt.primary);
      whole = whole.slice(0, -fmt.primary);
      while (whole.length > fmt.secondary) {
        grouped = whole.slice(-fmt.secondary) + fmt.group + grouped;
        whole = whole.slice(0, -fmt.secondary);
      }
      whole = whole ? whole + fmt.group + grouped : grouped;
    }
    return fmt.prefix + whole + fraction + fmt.suffix;
  }
  function update() {
    var chosen = form.querySelector("input[name=variant]:checked");
    var n = parseInt(qty.value, 10);
    if (!chosen || !(n > 0)) { out.textContent = "—"; calc.textContent = ""; return; }
    var max = parseInt(chosen.dataset.available, 10);
    if (max > 0) qty.max = Math.min(max, 999);
    var price = parseInt(chosen.dataset.price, 10);
    calc.textContent = "(" + n + " × " + money(price) + ")";
    out.textContent = money(n * price);
  }
  form.addEventListener("change", update);
  qty.addEventListener("input", update);
  form.querySelectorAll("[data-step]").forEach(function (b) {
    b.addEventListener("click", function () {
      var n = (parseInt(qty.value, 10) || 0) + parseInt(b.dataset.step, 10);
      var max = parseInt(qty.max, 10) || 999;
      qty.value = Math.max(1, Math.min(n, max));
      update();
    });
  });
  form.addEventListener("submit", function () {
    var button = form.querySelector(".sf-submit");
    // One click is enough: the server also answers a resent form with the same order.
    setTimeout(function () { button.disabled = true; button.textContent = button.dataset.sending; }, 0);
  });
  update();
  var alert = document.getElementById("form-alert");
  if (alert) { var first = form.querySelector(".has-error input, .has-error textarea, .has-error"); (first || alert).scrollIntoView({block: "center"}); }
})();

// --- buyer's return request (storefront/return_request.html)
(function () {
  var form = document.getElementById("return-form");
  if (!form) return;
  form.querySelectorAll(".rr-line").forEach(function (line) {
    var qty = line.querySelector("input[type=number]");
    if (!qty) return;
    function mark() { line.classList.toggle("is-picked", (parseInt(qty.value, 10) || 0) > 0); }
    line.querySelectorAll("[data-step]").forEach(function (b) {
      b.addEventListener("click", function () {
        var n = (parseInt(qty.value, 10) || 0) + parseInt(b.dataset.step, 10);
        qty.value = Math.max(0, Math.min(n, parseInt(qty.max, 10) || 0));
        qty.dispatchEvent(new Event("input", {bubbles: true}));
      });
    });
    qty.addEventListener("input", mark);
    mark();
  });
  // The reason's own words only when the chosen reason asks for them.
  var words = document.getElementById("reason-text-field");
  function toggle() {
    var chosen = form.querySelector("input[name=reason]:checked");
    var needed = !!(chosen && chosen.hasAttribute("data-needs-text"));
    words.hidden = !needed && !words.classList.contains("has-error");
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "reason") toggle();
    // A corrected choice drops its message (the server checks again on send).
    if (e.target.type === "radio") {
      e.target.closest("fieldset").querySelectorAll(":scope > .sf-error").forEach(function (p) { p.hidden = true; });
    }
  });
  form.addEventListener("input", function (e) {
    if (e.target.type === "number" && parseInt(e.target.value, 10) > 0) {
      var missing = document.getElementById("items-error");
      if (missing) missing.hidden = true;
    }
  });
  toggle();
  form.addEventListener("submit", function () {
    var button = form.querySelector(".sf-submit");
    // One tap is enough: the server also answers a resent form with the same return.
    setTimeout(function () { button.disabled = true; button.textContent = button.dataset.sending; }, 0);
  });
})();

// --- thank-you page: copy the order link (storefront/thanks.html)
document.querySelectorAll("[data-copy]").forEach(function (b) {
  b.addEventListener("click", function () {
    var input = document.getElementById(b.dataset.copy);
    input.select();
    var done = function () { b.textContent = b.dataset.done; };
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); }); }
    else { document.execCommand("copy"); done(); }
  });
});
