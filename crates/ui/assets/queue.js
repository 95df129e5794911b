// The queue's bulk bar: "select all on this page", the count of ticked tickets, and
// "select all N matching this filter", which makes the action go by the filter.
(function () {
  "use strict";
  var byFilter = false;
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="ticket"][form="bulk-form"]'));
  }
  function matchingLink() { return document.querySelector("[data-bulk-matching]"); }
  function setScope(filter) {
    byFilter = filter;
    var scope = document.querySelector("[data-bulk-scope]");
    if (scope) scope.value = filter ? "filter" : "ids";
  }
  function update() {
    var count = document.querySelector("[data-bulk-count]");
    if (!count) return;
    var all = boxes();
    var ticked = all.filter(function (b) { return b.checked; }).length;
    var everyOne = ticked > 0 && ticked === all.length;
    if (!everyOne) setScope(false);
    var link = matchingLink();
    var total = link ? parseInt(link.getAttribute("data-count"), 10) : 0;
    if (byFilter) {
      count.textContent = "All " + total + " tickets matching this filter are selected";
    } else {
      count.textContent = ticked === 0 ? "Tick tickets to change them together"
        : ticked === 1 ? "1 ticket selected" : ticked + " tickets selected";
    }
    if (link) {
      link.hidden = !everyOne || total <= all.length;
      link.textContent = byFilter ? "Select only this page" : "Select all " + total + " matching this filter";
    }
    var pageBox = document.querySelector("[data-bulk-all]");
    if (pageBox) pageBox.checked = everyOne;
    var apply = document.querySelector('#bulk-form button[type="submit"]');
    if (apply) apply.textContent = byFilter ? "Apply to all " + total : "Apply to selected";
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bulk-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.matches && (target.matches("[data-bulk-all]") || target.matches('input[name="ticket"]'))) update();
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bulk-matching]")) {
      event.preventDefault();
      setScope(!byFilter);
      update();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    // The rows were refreshed (after an action or live): a filter-wide choice ends.
    if (event.target && event.target.id === "queue") setScope(false);
    update();
  });
})();
