// Ferrodesk: keyboard navigation, small form helpers and live updates.
// Plain JavaScript, no build step. Every page works without it.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // ---- queue rows: j/k to move, Enter to open, click anywhere on a row ----
  var selectedId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-nav] tbody tr[data-href]"));
  }

  function select(row, focus) {
    rows().forEach(function (r) { r.classList.remove("is-selected"); });
    if (!row) { selectedId = null; return; }
    row.classList.add("is-selected");
    selectedId = row.getAttribute("data-id");
    if (focus) {
      var link = row.querySelector("a");
      if (link) link.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (r) { return r.classList.contains("is-selected"); });
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[index], true);
  }

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label")) return;
    window.location.href = row.getAttribute("data-href");
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && isTyping(event.target)) { event.target.blur(); return; }
    if (isTyping(event.target)) return;
    var hotkey;
    switch (event.key) {
      case "j": move(1); event.preventDefault(); break;
      case "k": move(-1); event.preventDefault(); break;
      case "Enter": {
        var selected = document.querySelector("tr.is-selected[data-href]");
        if (selected && !(event.target.closest && event.target.closest("a, button"))) {
          window.location.href = selected.getAttribute("data-href");
          event.preventDefault();
        }
        break;
      }
      case "/":
      case "r":
        hotkey = document.querySelector('[data-hotkey="' + event.key + '"]');
        if (hotkey) {
          event.preventDefault();
          hotkey.scrollIntoView({ block: "center" });
          hotkey.focus();
        }
        break;
    }
  });

  // ---- forms ----
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-caller]");
    if (!button) return;
    var fill = function (id, value) {
      var field = document.getElementById(id);
      if (field && value) field.value = value;
    };
    fill("requester_email", button.getAttribute("data-email"));
    fill("requester_name", button.getAttribute("data-name"));
    fill("requester_phone", button.getAttribute("data-phone"));
    fill("requester_location", button.getAttribute("data-location"));
    var list = document.getElementById("caller-matches");
    if (list) list.innerHTML = "";
    var subject = document.getElementById("subject");
    if (subject) subject.focus();
  });

  function ready() {
    document.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
    startLive();
  }

  // ---- live updates ----
  // The server sends one "change" event per change this viewer may see. Parts of the
  // page that show those tickets or the counts listen for fd:* events and refresh
  // themselves with htmx; forms being typed in are never replaced.
  var pending = {};

  function fire(name) {
    if (pending[name] || !window.htmx) return;
    pending[name] = setTimeout(function () {
      delete pending[name];
      window.htmx.trigger(document.body, name);
    }, 120);
  }

  function startLive() {
    var url = document.body.getAttribute("data-live");
    if (!url || !window.EventSource) return;
    var status = document.getElementById("live-status");
    var source = new EventSource(url);
    source.addEventListener("open", function () { if (status) status.hidden = false; });
    source.addEventListener("error", function () { if (status) status.hidden = true; });
    source.addEventListener("change", function (event) {
      var change;
      try { change = JSON.parse(event.data); } catch (e) { return; }
      var shown = document.querySelector("[data-ticket-id]");
      (change.tickets || []).forEach(function (id) { fire("fd:ticket-" + id); });
      if (change.all && shown) fire("fd:ticket-" + shown.getAttribute("data-ticket-id"));
      if ((change.tickets && change.tickets.length) || change.all) fire("fd:queue");
      if (change.counts || change.all) fire("fd:counts");
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  var before = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "queue") {
      before = {};
      rows().forEach(function (r) { before[r.getAttribute("data-id")] = true; });
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "queue") return;
    rows().forEach(function (r) {
      var id = r.getAttribute("data-id");
      if (before && !before[id]) r.classList.add("is-new");
      if (id === selectedId) select(r, false);
    });
    before = null;
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
