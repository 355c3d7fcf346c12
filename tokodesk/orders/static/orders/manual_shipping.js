/* The manual order's courier list (orders/_create_shipping.html): picking a courier and
 * service from the rate tables fills the courier and service fields and shows the price in
 * the shipping-cost field's placeholder; the cost stays empty, so the order is priced from
 * the rate tables (typing an amount overrides it). No inline script: strict CSP. */
(function () {
  var form = document.getElementById("order-form");
  if (!form) return;
  function refreshSummary() {
    var cost = form.querySelector("[name=shipping_cost]");
    if (cost) cost.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function setService(service) {
    var field = form.querySelector("[name=courier_service]");
    if (!field) return;
    if (field.tagName === "SELECT" && !Array.prototype.some.call(field.options, function (o) { return o.value === service; })) {
      var opt = document.createElement("option");
      opt.value = opt.textContent = service;
      field.appendChild(opt);
    }
    field.disabled = false;
    field.value = service;
    refreshSummary();
  }
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "payment_method") { document.body.dispatchEvent(new Event("shipOptions")); return; }
    if (t.name !== "ship_option" || !t.checked) return;
    var courier = form.querySelector("[name=courier]");
    var cost = form.querySelector("[name=shipping_cost]");
    if (cost) { cost.value = ""; cost.placeholder = t.dataset.price; }
    if (courier && courier.value !== t.dataset.courier) {
      courier.value = t.dataset.courier;
      var target = document.getElementById("service-field");
      var once = function (ev) {
        if (ev.target !== target) return;
        document.body.removeEventListener("htmx:afterSwap", once);
        setService(t.dataset.service);
      };
      document.body.addEventListener("htmx:afterSwap", once);
      courier.dispatchEvent(new Event("change", {bubbles: true}));  // htmx loads its services
    } else {
      setService(t.dataset.service);
    }
  });
})();
