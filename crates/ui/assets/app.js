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
    startPresence();
  }

  // ---- working on the same ticket ----
  // The presence strip reports "viewing" every few seconds (htmx); typing a draft in
  // the composer makes it "replying" at once, an emptied draft "viewing" again. A page
  // going away says goodbye so the others stop seeing it at once.
  function startPresence() {
    var strip = document.getElementById("presence");
    var activity = document.getElementById("presence-activity");
    var body = document.querySelector("#composer textarea[name=body]");
    if (!strip || !activity) return;
    if (body) {
      body.addEventListener("input", function () {
        var now = body.value.trim() ? "replying" : "viewing";
        if (activity.value !== now) {
          activity.value = now;
          if (window.htmx) window.htmx.trigger(document.body, "fd:presence");
        }
      });
    }
    window.addEventListener("pagehide", function () {
      var csrf = document.getElementById("presence-csrf");
      var leave = strip.getAttribute("data-leave");
      if (!leave || !csrf || !navigator.sendBeacon) return;
      navigator.sendBeacon(leave, new URLSearchParams({ csrf: csrf.value }));
    });
  }

  // ---- @name completion in internal notes ----
  // Typing @ and a letter or more in a note asks the server for the staff who may see
  // the ticket; arrow keys move through them, Enter, Tab or a click inserts "@handle ".
  var mention = { start: -1, active: -1, asked: "" };

  function mentionParts() {
    var body = document.querySelector("textarea[data-mentions]");
    var list = document.getElementById("mention-list");
    return body && list ? { body: body, list: list } : null;
  }

  function isNote(body) {
    var kind = body.form && body.form.querySelector("input[name=kind]:checked");
    return kind && kind.value === "note";
  }

  function closeMentions() {
    var parts = mentionParts();
    mention.start = -1;
    mention.active = -1;
    if (!parts) return;
    parts.list.hidden = true;
    parts.list.innerHTML = "";
    parts.body.removeAttribute("aria-activedescendant");
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function activate(index) {
    var parts = mentionParts();
    if (!parts) return;
    var all = options(parts.list);
    if (!all.length) return;
    mention.active = (index + all.length) % all.length;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === mention.active ? "true" : "false"); });
    parts.body.setAttribute("aria-activedescendant", all[mention.active].id);
    all[mention.active].scrollIntoView({ block: "nearest" });
  }

  function insertMention(option) {
    var parts = mentionParts();
    if (!parts || mention.start < 0) return;
    var body = parts.body;
    var caret = body.selectionStart;
    var text = "@" + option.getAttribute("data-handle") + " ";
    body.value = body.value.slice(0, mention.start) + text + body.value.slice(caret);
    var at = mention.start + text.length;
    body.setSelectionRange(at, at);
    closeMentions();
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function lookUpMention() {
    var parts = mentionParts();
    if (!parts) return;
    var body = parts.body;
    var before = body.value.slice(0, body.selectionStart);
    var match = /(^|\s)@([\w.+-]{1,40})$/.exec(before);
    if (!isNote(body) || !match) { closeMentions(); return; }
    var typed = match[2];
    mention.start = before.length - typed.length - 1;
    if (typed === mention.asked) return;
    mention.asked = typed;
    fetch(body.getAttribute("data-mentions") + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (mention.asked !== typed || mention.start < 0) return;
        parts.list.innerHTML = html;
        if (!options(parts.list).length) { closeMentions(); return; }
        parts.list.hidden = false;
        activate(0);
      })
      .catch(function () { closeMentions(); });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-mentions]")) {
      mention.asked = "";
      lookUpMention();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.matches || !event.target.matches("textarea[data-mentions]")) return;
    var parts = mentionParts();
    if (!parts || parts.list.hidden) return;
    switch (event.key) {
      case "ArrowDown": activate(mention.active + 1); event.preventDefault(); break;
      case "ArrowUp": activate(mention.active - 1); event.preventDefault(); break;
      case "Enter":
      case "Tab": {
        var chosen = options(parts.list)[mention.active];
        if (chosen) { insertMention(chosen); event.preventDefault(); event.stopPropagation(); }
        break;
      }
      case "Escape": closeMentions(); event.preventDefault(); event.stopPropagation(); break;
    }
  }, true);

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("#mention-list [role=option]");
    if (option) { event.preventDefault(); insertMention(option); }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-mentions]")) {
      setTimeout(closeMentions, 150);
    }
  });

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

// A refused form comes back anchored on its own panel (`...#details-panel`,
// `#asset-error`). Panels that load after the page (knowledge, mail, vendor) can push
// that spot down, so it is kept in view until the person scrolls themselves.
(function () {
  "use strict";
  var id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  var moved = false;
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (kind) {
    window.addEventListener(kind, function () { moved = true; }, { once: true, passive: true });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById(id);
    if (target && !moved) target.scrollIntoView({ block: "center" });
  });
})();
