// Custom fields panel on the ticket view: a refused change (422) comes back as the
// panel with the error next to the field, so it is swapped in like a success.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr.status;
    if (target && target.id === "cf-panel" && status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
