/* The orders page (orders/list.html), beside app.js.
 *
 * On a phone the page opens as cards: until the user picks "List" or "Cards" (the choice is
 * kept in the session), the segmented control carries data-view-auto with the view the
 * server drew; on a narrow screen a table is swapped for the cards once, by following the
 * "Cards" link itself (which records the choice, so this happens only on the first visit).
 */
(function () {
  "use strict";
  var auto = document.querySelector("[data-view-auto]");
  if (!auto || auto.getAttribute("data-view-auto") !== "list") { return; }
  if (!window.matchMedia("(max-width: 640px)").matches) { return; }
  var cards = auto.querySelector("a[data-view=card]");
  if (cards) { window.location.replace(cards.href); }
})();
