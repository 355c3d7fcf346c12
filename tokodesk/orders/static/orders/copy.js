/* Copy buttons of the order page (issue 12, item 13): the buyer's order link and the
 * WhatsApp text. <button data-copy-text="#selector" data-copied-label="Copied"> copies the
 * value of the input or textarea the selector names. Under the Content-Security-Policy, so
 * no inline handler: one listener on the document, which also serves content htmx swaps in.
 *
 * The clipboard API needs a secure page (https or localhost); elsewhere, or when the
 * browser refuses, the field is selected and execCommand("copy") tried, and the selected
 * text stays for the user to copy by hand.
 */
(function () {
  "use strict";

  function done(button, ok) {
    var label = button.dataset.copiedLabel;
    if (!label) { return; }
    if (!button.dataset.label) { button.dataset.label = button.textContent; }
    button.textContent = ok ? "✓ " + label : button.dataset.label;
    button.classList.toggle("copied", ok);
    window.setTimeout(function () {
      button.textContent = button.dataset.label;
      button.classList.remove("copied");
    }, 2500);
  }

  function selectField(field) {
    field.focus();
    field.select();
    if (typeof field.setSelectionRange === "function") { field.setSelectionRange(0, field.value.length); }
  }

  function fallback(button, field) {
    selectField(field);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    done(button, ok);
  }

  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element && e.target.closest("[data-copy-text]");
    if (!button) { return; }
    var field = document.querySelector(button.dataset.copyText);
    if (!field || typeof field.value !== "string") { return; }
    e.preventDefault();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        selectField(field);
        done(button, true);
      }, function () { fallback(button, field); });
    } else {
      fallback(button, field);
    }
  });
})();
