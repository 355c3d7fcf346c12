/* The landing page's district search and shipping cost (storefront/landing.html,
 * storefront/views/shipping.py). The buyer types a district, picks it from the list, and
 * the summary shows the shipping cost and the total; changing the variant, the quantity or
 * the payment method asks again. No inline script: the page runs under a strict CSP. */
(function () {
  var form = document.getElementById("order-form");
  var field = document.getElementById("district-field");
  if (!form || !field) return;
  var input = document.getElementById("id_district_search");
  var hidden = form.querySelector("input[name=district]");
  var list = document.getElementById("district-results");
  var shipRow = form.querySelector("[data-shipping-row]");
  var totalRow = form.querySelector("[data-total-row]");
  var hint = form.querySelector("[data-shipping-hint]");
  var timer = null, seq = 0, chosenLabel = input.value;

  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
  function show(results) {
    list.innerHTML = "";
    if (!results.length) {
      var li = document.createElement("li");
      li.className = "sf-empty";
      li.textContent = field.dataset.none;
      list.appendChild(li);
    }
    results.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.id = r.id;
      li.textContent = r.label;
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function search() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    var mine = ++seq;
    fetch(field.dataset.searchUrl + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === seq) show(data.results || []); })
      .catch(function () {});
  }
  function pick(li) {
    if (!li || !li.dataset.id) return;
    hidden.value = li.dataset.id;
    input.value = chosenLabel = li.textContent;
    close();
    quote();
  }
  function quote() {
    if (!hidden.value) return;
    var chosen = form.querySelector("input[name=variant]:checked");
    var method = form.querySelector("input[name=payment_method]:checked");
    var params = new URLSearchParams({
      district: hidden.value,
      variant: chosen ? chosen.value : "",
      qty: (form.querySelector("#id_qty") || {}).value || "1",
      payment_method: method ? method.value : ""
    });
    fetch(field.dataset.quoteUrl + "?" + params.toString(), {headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.ok) {
          shipRow.hidden = false;
          totalRow.hidden = false;
          shipRow.querySelector("[data-shipping]").textContent = data.shipping_label;
          shipRow.querySelector("[data-shipping-detail]").textContent =
            "(" + data.courier + " " + data.service + ", " + data.eta + ")";
          totalRow.querySelector("[data-total]").textContent = data.total_label;
          hint.textContent = data.district;
        } else {
          shipRow.hidden = true;
          totalRow.hidden = true;
          hint.textContent = data.message || hint.dataset.default;
        }
      })
      .catch(function () {});
  }
  input.addEventListener("input", function () {
    if (input.value !== chosenLabel) { hidden.value = ""; shipRow.hidden = true; totalRow.hidden = true; hint.textContent = hint.dataset.default; }
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (e) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-id]"));
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!items.length) return;
      if (at >= 0) items[at].removeAttribute("aria-selected");
      at = e.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
      items[at].setAttribute("aria-selected", "true");
    } else if (e.key === "Enter" && !list.hidden) {
      e.preventDefault();  // picking, not sending the order
      pick(items[at >= 0 ? at : 0]);
    } else if (e.key === "Escape") {
      close();
    }
  });
  list.addEventListener("click", function (e) { pick(e.target.closest("li")); });
  document.addEventListener("click", function (e) { if (!field.contains(e.target)) close(); });
  form.addEventListener("change", function (e) {
    if (e.target.name === "variant" || e.target.name === "payment_method") quote();
  });
  var qty = form.querySelector("#id_qty");
  if (qty) qty.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(quote, 250); });
  form.querySelectorAll("[data-step]").forEach(function (b) { b.addEventListener("click", function () { setTimeout(quote, 0); }); });
  quote();  // the form came back with a district chosen
})();
