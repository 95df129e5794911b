// Ferrodesk: the ticket composer. Reply and note modes, the Markdown toolbar with
// its shortcuts, the preview (rendered by the server), and files dropped or pasted
// onto the composer. Without it the composer is a plain form that works the same.
(function () {
  "use strict";

  // How each toolbar button changes the selection: wrap it, or prefix its lines.
  var FORMATS = {
    bold: { wrap: "**", sample: "bold text" },
    italic: { wrap: "_", sample: "italic text" },
    code: { wrap: "`", sample: "code" },
    link: { before: "[", after: "](https://)", sample: "link text" },
    list: { line: function () { return "- "; } },
    numbered: { line: function (i) { return (i + 1) + ". "; } },
    quote: { line: function () { return "> "; } }
  };
  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };

  function replaceSelection(area, text, selectFrom, selectTo) {
    var start = area.selectionStart;
    area.setRangeText(text, start, area.selectionEnd, "end");
    area.setSelectionRange(start + selectFrom, start + selectTo);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function format(area, name) {
    var f = FORMATS[name];
    if (!f) return;
    var chosen = area.value.slice(area.selectionStart, area.selectionEnd);
    if (f.line) {
      // Whole lines: start at the beginning of the first selected line.
      var lineStart = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
      area.setSelectionRange(lineStart, area.selectionEnd);
      var lines = area.value.slice(lineStart, area.selectionEnd).split("\n");
      var text = lines.map(function (l, i) { return f.line(i) + l; }).join("\n");
      replaceSelection(area, text, text.length, text.length);
      return;
    }
    var before = f.wrap || f.before;
    var after = f.wrap || f.after;
    var inner = chosen || f.sample;
    replaceSelection(area, before + inner + after, before.length, before.length + inner.length);
  }

  function setMode(form, area) {
    var note = form.querySelector("input[name=kind][value=note]");
    var isNote = note && note.checked;
    var hint = area.getAttribute(isNote ? "data-placeholder-note" : "data-placeholder-reply");
    if (hint) area.setAttribute("placeholder", hint);
  }

  function showPreview(form, area, on) {
    var toggle = form.querySelector("#composer-preview-toggle");
    var pane = form.querySelector("#composer-preview");
    var field = area.closest(".mention-field") || area;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Write" : "Preview";
    pane.hidden = !on;
    field.hidden = on;
    form.querySelectorAll("[data-md]").forEach(function (b) { b.disabled = on; });
    if (on) {
      pane.innerHTML = '<p class="muted small">Rendering the preview…</p>';
      if (window.htmx) window.htmx.trigger(toggle, "fd:preview");
    } else {
      area.focus();
    }
  }

  // ---- files: a list kept in a DataTransfer and mirrored into the file input ----
  function sizeText(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function fileBox(form) {
    var input = form.querySelector("#attachments");
    var list = form.querySelector("#composer-file-list");
    var error = form.querySelector("#composer-file-error");
    var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 20;
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var kept = new DataTransfer();

    function render() {
      input.files = kept.files;
      list.innerHTML = "";
      Array.prototype.forEach.call(kept.files, function (file, index) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;
        var size = document.createElement("span");
        size.className = "muted small";
        size.textContent = sizeText(file.size);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + file.name);
        remove.addEventListener("click", function () { removeAt(index); });
        item.append(name, " ", size, " ", remove);
        list.appendChild(item);
      });
      list.hidden = kept.files.length === 0;
    }

    function removeAt(index) {
      var next = new DataTransfer();
      Array.prototype.forEach.call(kept.files, function (f, i) { if (i !== index) next.items.add(f); });
      kept = next;
      error.hidden = true;
      render();
    }

    function add(files) {
      var refused = [];
      Array.prototype.forEach.call(files, function (file) {
        if (maxBytes && file.size > maxBytes) {
          refused.push(file.name + " is larger than " + sizeText(maxBytes) + ", the largest file the desk keeps");
        } else if (kept.files.length >= maxFiles) {
          refused.push(file.name + " was not added: at most " + maxFiles + " files per message");
        } else {
          kept.items.add(file);
        }
      });
      error.textContent = refused.join(". ");
      error.hidden = refused.length === 0;
      render();
    }

    input.addEventListener("change", function () {
      var chosen = Array.prototype.slice.call(input.files);
      input.files = kept.files;
      add(chosen);
    });
    return { add: add };
  }


  // ---- macros: "/" at the start of a line or the Macros button opens a picker ----
  function macroPicker(form, area) {
    var picker = form.querySelector("#composer-macro-picker");
    var button = form.querySelector("#composer-macros-button");
    if (!picker || !button) return null;
    var filter = picker.querySelector("#composer-macro-filter");
    var none = picker.querySelector(".macro-none");
    var hidden = form.querySelector("#composer-macro-id");
    var chips = form.querySelector("#composer-macro-chips");
    var active = -1;

    function visible() {
      return Array.prototype.filter.call(picker.querySelectorAll("[role=option]"), function (o) { return !o.hidden; });
    }
    function mark(index) {
      var options = visible();
      active = options.length ? Math.max(0, Math.min(index, options.length - 1)) : -1;
      picker.querySelectorAll("[role=option]").forEach(function (o) { o.setAttribute("aria-selected", "false"); });
      if (active >= 0) {
        options[active].setAttribute("aria-selected", "true");
        filter.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        filter.removeAttribute("aria-activedescendant");
      }
    }
    function narrow() {
      var words = filter.value.trim().toLowerCase();
      picker.querySelectorAll("[role=option]").forEach(function (o) {
        o.hidden = words !== "" && o.textContent.toLowerCase().indexOf(words) < 0;
      });
      none.hidden = visible().length > 0;
      mark(0);
    }
    function open() {
      picker.hidden = false;
      button.setAttribute("aria-expanded", "true");
      filter.value = "";
      narrow();
      filter.focus();
    }
    function close(refocus) {
      picker.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (refocus) area.focus();
    }
    function showChips(filled) {
      chips.innerHTML = "";
      var all = ["Macro: " + filled.name].concat(filled.chips);
      all.forEach(function (text) {
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.textContent = text;
        chips.appendChild(chip);
      });
      var remove = document.createElement("li");
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "link-button";
      undo.textContent = "Don't apply the actions";
      undo.addEventListener("click", function () {
        hidden.value = "";
        chips.innerHTML = "";
        chips.hidden = true;
      });
      remove.appendChild(undo);
      chips.appendChild(remove);
      chips.hidden = false;
    }
    function choose(option) {
      var url = picker.getAttribute("data-url") + option.getAttribute("data-macro-id");
      close(false);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (filled) {
          replaceSelection(area, filled.body, filled.body.length, filled.body.length);
          hidden.value = String(filled.id);
          if (filled.internal) {
            var note = form.querySelector("input[name=kind][value=note]");
            if (note) { note.checked = true; setMode(form, area); }
          }
          showChips(filled);
        })
        .catch(function () {
          chips.innerHTML = '<li class="field-error">The macro could not be loaded; try again.</li>';
          chips.hidden = false;
          area.focus();
        });
    }

    button.addEventListener("click", function () { if (picker.hidden) open(); else close(true); });
    filter.addEventListener("input", narrow);
    filter.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Enter") { e.preventDefault(); var o = visible()[active]; if (o) choose(o); }
      else if (e.key === "Escape") { e.preventDefault(); close(true); }
    });
    picker.addEventListener("click", function (e) {
      var option = e.target.closest("[role=option]");
      if (option) choose(option);
    });
    area.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var before = area.value.slice(0, area.selectionStart);
      if (before !== "" && before.slice(-1) !== "\n") return;
      e.preventDefault();
      open();
    });
    return { open: open };
  }

  // ---- the timer: counts while the agent works, fills "Time spent" when stopped ----
  function timer(form) {
    var button = form.querySelector("#composer-timer");
    var field = form.querySelector("#time_spent");
    if (!button || !field) return;
    button.hidden = false;
    var startedAt = null;
    var ticking = null;
    function elapsedMinutes() {
      return Math.max(1, Math.ceil((Date.now() - startedAt) / 60000));
    }
    function clock() {
      var seconds = Math.floor((Date.now() - startedAt) / 1000);
      var m = Math.floor(seconds / 60);
      var sec = seconds % 60;
      button.textContent = "Stop " + m + ":" + (sec < 10 ? "0" : "") + sec;
    }
    button.addEventListener("click", function () {
      if (startedAt === null) {
        startedAt = Date.now();
        button.setAttribute("aria-pressed", "true");
        clock();
        ticking = window.setInterval(clock, 1000);
      } else {
        window.clearInterval(ticking);
        var before = parseInt(field.value, 10);
        var minutes = elapsedMinutes() + (/^\d+$/.test(field.value.trim()) ? before : 0);
        field.value = String(Math.min(minutes, 1440));
        field.dispatchEvent(new Event("input", { bubbles: true }));
        startedAt = null;
        button.setAttribute("aria-pressed", "false");
        button.textContent = "Start timer";
      }
    });
  }

  // ---- "Insert article": a help article's link or an excerpt, public ones only ----
  function articlePicker(form, area) {
    var picker = form.querySelector("#composer-article-picker");
    var button = form.querySelector("#composer-articles-button");
    if (!picker || !button) return;
    var search = picker.querySelector("#composer-article-search");
    var list = picker.querySelector("#composer-article-list");
    var waiting = null;
    var asked = 0;

    function insert(text) {
      picker.hidden = true;
      button.setAttribute("aria-expanded", "false");
      replaceSelection(area, text, text.length, text.length);
    }
    function row(article) {
      var item = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent = article.title;
      var excerpt = document.createElement("p");
      excerpt.className = "muted small";
      excerpt.textContent = article.excerpt;
      var link = document.createElement("button");
      link.type = "button";
      link.className = "small";
      link.textContent = "Insert link";
      link.addEventListener("click", function () { insert("[" + article.title + "](" + article.url + ")"); });
      var quote = document.createElement("button");
      quote.type = "button";
      quote.className = "small";
      quote.textContent = "Insert excerpt";
      quote.addEventListener("click", function () {
        insert("> " + article.excerpt.replace(/\n/g, " ") + "\n>\n> [" + article.title + "](" + article.url + ")\n");
      });
      var actions = document.createElement("span");
      actions.className = "article-actions";
      actions.append(link, quote);
      item.append(title, excerpt, actions);
      return item;
    }
    function look() {
      var mine = ++asked;
      var url = picker.getAttribute("data-url") + "?q=" + encodeURIComponent(search.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (articles) {
          if (mine !== asked) return;
          list.innerHTML = "";
          if (!articles.length) {
            var none = document.createElement("li");
            none.className = "muted small";
            none.textContent = search.value.trim() ? "No public article matches." : "Type what the requester asked about.";
            list.appendChild(none);
          }
          articles.forEach(function (a) { list.appendChild(row(a)); });
        })
        .catch(function () { list.innerHTML = '<li class="field-error">The search did not answer; try again.</li>'; });
    }
    button.addEventListener("click", function () {
      picker.hidden = !picker.hidden;
      button.setAttribute("aria-expanded", picker.hidden ? "false" : "true");
      if (!picker.hidden) { search.focus(); look(); }
    });
    search.addEventListener("input", function () {
      window.clearTimeout(waiting);
      waiting = window.setTimeout(look, 200);
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { picker.hidden = true; button.setAttribute("aria-expanded", "false"); area.focus(); }
      if (e.key === "Enter") e.preventDefault();
    });
  }

  function init(form) {
    if (form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "true");
    var area = form.querySelector("#body");
    var toolbar = form.querySelector(".composer-toolbar");
    if (!area || !toolbar) return;
    toolbar.hidden = false;
    form.querySelectorAll(".drop-hint").forEach(function (h) { h.hidden = false; });
    toolbar.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (!button) return;
      if (button.id === "composer-preview-toggle") {
        showPreview(form, area, button.getAttribute("aria-pressed") !== "true");
      } else if (button.hasAttribute("data-md")) {
        format(area, button.getAttribute("data-md"));
      }
    });
    area.addEventListener("keydown", function (e) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      var name = SHORTCUTS[e.key.toLowerCase()];
      if (!name) return;
      e.preventDefault();
      format(area, name);
    });
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", function () { setMode(form, area); });
    });

    // "Send reply and set to Waiting on customer": the button says what one click does.
    var then = form.querySelector("#then_status");
    var said = form.querySelector(".send-status");
    if (then && said) {
      var sayStatus = function () {
        var option = then.options[then.selectedIndex];
        said.textContent = option && option.value ? " and " + option.text.replace(/^Set/, "set") : "";
      };
      then.addEventListener("change", sayStatus);
      sayStatus();
    }

    macroPicker(form, area);
    articlePicker(form, area);
    timer(form);

    var files = fileBox(form);
    form.addEventListener("dragover", function (e) {
      if (!e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types, "Files") < 0) return;
      e.preventDefault();
      form.classList.add("is-dropping");
    });
    form.addEventListener("dragleave", function (e) {
      if (!form.contains(e.relatedTarget)) form.classList.remove("is-dropping");
    });
    form.addEventListener("drop", function (e) {
      form.classList.remove("is-dropping");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      files.add(e.dataTransfer.files);
    });
    area.addEventListener("paste", function (e) {
      var pasted = e.clipboardData ? Array.prototype.filter.call(e.clipboardData.files, function (f) {
        return f.type.indexOf("image/") === 0;
      }) : [];
      if (!pasted.length) return;
      e.preventDefault();
      files.add(pasted);
    });
  }

  function start() {
    document.querySelectorAll("form[data-composer]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSettle", start);
})();
