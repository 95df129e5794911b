// The queue's bulk bar: "select all on this page" and the count of ticked tickets.
(function () {
  "use strict";
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="ticket"][form="bulk-form"]'));
  }
  function update() {
    var count = document.querySelector("[data-bulk-count]");
    if (!count) return;
    var ticked = boxes().filter(function (b) { return b.checked; }).length;
    count.textContent = ticked === 0 ? "Tick tickets to change them together"
      : ticked === 1 ? "1 ticket selected" : ticked + " tickets selected";
    var all = document.querySelector("[data-bulk-all]");
    if (all) all.checked = ticked > 0 && ticked === boxes().length;
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bulk-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.matches && (target.matches("[data-bulk-all]") || target.matches('input[name="ticket"]'))) update();
  });
  document.addEventListener("htmx:afterSwap", update);
})();
