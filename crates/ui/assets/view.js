// The ticket page: the actions menu opens its dialogs, a refused dialog comes back
// open as a modal, and the properties panel saves each field at once (htmx), so its
// save buttons hide and a refusal (409, 422) is swapped in place like a success.
(function () {
  "use strict";
  document.documentElement.classList.add("js-view");

  function open(dialog) {
    if (!dialog || typeof dialog.showModal !== "function") return false;
    if (dialog.open) dialog.close();
    dialog.showModal();
    var first = dialog.querySelector("input:not([type=hidden]), select, textarea, button");
    if (first) first.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-dialog]");
    if (opener) {
      if (open(document.getElementById(opener.getAttribute("data-dialog")))) {
        event.preventDefault();
        var menu = opener.closest("details");
        if (menu) menu.open = false;
      }
      return;
    }
    var closer = event.target.closest && event.target.closest("dialog [data-close]");
    if (closer) {
      event.preventDefault();
      closer.closest("dialog").close();
    }
  });

  // A click outside the open menu closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.actions-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr && event.detail.xhr.status;
    if (target && target.id === "properties" && (status === 409 || status === 422)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The panel keeps its open or closed state across saves.
  var collapsed = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "properties") {
      var box = target.querySelector(".props-box");
      collapsed = box ? !box.open : null;
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var box = document.querySelector("#properties .props-box");
    if (box && collapsed !== null) box.open = !collapsed;
    collapsed = null;
  });

  function ready() {
    document.querySelectorAll("dialog.action-dialog[open]").forEach(open);
    // On a phone the properties fold away under the header, the conversation first.
    var box = document.querySelector("#properties .props-box");
    if (box && window.matchMedia("(max-width: 860px)").matches && !box.querySelector(".has-error, [role=alert]")) {
      box.open = false;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
