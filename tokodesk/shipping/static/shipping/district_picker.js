/* A searchable district (kecamatan) field for the desk's forms: the rate form, the manual
 * order and the order edit (the landing page has its own, storefront's shipping_quote.js).
 *
 *   <div data-district-picker data-search-url="/shipping/districts/" data-fill="id|code" data-none="…">
 *     <input type="search" data-picker-input>  <ul data-picker-list hidden></ul>
 *     <input data-picker-value>   (gets the district's id or code when one is picked)
 *
 * Picking fires a bubbling "change" on the value input (htmx listens for it). No inline
 * script: the pages run under a strict CSP. */
(function () {
  function setup(field) {
    var input = field.querySelector("[data-picker-input]");
    var list = field.querySelector("[data-picker-list]");
    var value = field.querySelector("[data-picker-value]");
    if (!input || !list || !value) return;
    var fill = field.dataset.fill || "id";
    var timer = null, seq = 0, chosen = input.value;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function show(results) {
      list.innerHTML = "";
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "district-empty";
        none.textContent = field.dataset.none || "";
        list.appendChild(none);
      }
      results.forEach(function (r) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.value = fill === "code" ? r.code : r.id;
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
      fetch(field.dataset.searchUrl + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === seq) show(data.results || []); })
        .catch(function () {});
    }
    function pick(li) {
      if (!li || !li.dataset.value) return;
      value.value = li.dataset.value;
      input.value = chosen = li.textContent;
      close();
      value.dispatchEvent(new Event("change", {bubbles: true}));
    }
    input.addEventListener("input", function () {
      if (input.value !== chosen && fill === "id" && value.value) {
        value.value = "";
        value.dispatchEvent(new Event("change", {bubbles: true}));
      }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (e) {
      var items = Array.prototype.slice.call(list.querySelectorAll("li[data-value]"));
      var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!items.length) return;
        if (at >= 0) items[at].removeAttribute("aria-selected");
        at = e.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
        items[at].setAttribute("aria-selected", "true");
      } else if (e.key === "Enter" && !list.hidden) {
        e.preventDefault();  // picking, not sending the form
        pick(items[at >= 0 ? at : 0]);
      } else if (e.key === "Escape") {
        close();
      }
    });
    list.addEventListener("click", function (e) { pick(e.target.closest("li")); });
    document.addEventListener("click", function (e) { if (!field.contains(e.target)) close(); });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-district-picker]").forEach(function (f) {
      if (f.dataset.pickerReady) return;
      f.dataset.pickerReady = "1";
      setup(f);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  if (document.readyState !== "loading") init(document);
})();
