/* editor.js — the story screen's small helpers, no dependencies:
   1. live preview: as the writer types (debounced), the form is posted to /admin/preview and the
      answer (the story rendered by the public theme) is shown in a sandboxed iframe (srcdoc);
   2. autosave to the browser: every change stores the form's fields in localStorage under the
      story's key (data-autosave-key: "gazette:story:ID" or "gazette:story:new"); a page that
      opens with a newer local copy than the server's offers to restore it; a successful save
      (data-saved="1") drops the copy.
   Without JavaScript the form works the same (the Preview button opens the preview in a tab). */
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  if (!form) return;
  var frame = document.getElementById("preview");
  var banner = document.getElementById("autosave");
  var key = form.getAttribute("data-autosave-key");
  var serverSaved = Number(form.getAttribute("data-server-saved")) || 0;
  var readOnly = form.querySelector("fieldset[disabled]") !== null;
  var FIELDS = ["kicker", "headline", "lead", "body", "topics", "authors", "image_url",
                "image_caption", "image_credit", "image_alt", "slug", "comments_days",
                "publish_at", "comments"];

  function field(name) { return form.elements.namedItem(name); }

  function values() {
    var out = {};
    FIELDS.forEach(function (name) {
      var el = field(name);
      if (!el) return;
      out[name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return out;
  }

  function fill(saved) {
    FIELDS.forEach(function (name) {
      var el = field(name);
      if (!el || !(name in saved)) return;
      if (el.type === "checkbox") el.checked = saved[name] === "on"; else el.value = saved[name];
    });
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /* ---- preview ---- */
  var timer = null, inFlight = null;
  function preview() {
    if (!frame || !window.fetch) return;
    /* a read-only story's fields sit in a disabled fieldset, which FormData leaves out */
    var fieldset = form.querySelector("fieldset[disabled]");
    if (fieldset) fieldset.disabled = false;
    var body = new URLSearchParams(new FormData(form));
    if (fieldset) fieldset.disabled = true;
    body.set("action", "preview");
    if (inFlight && inFlight.abort) inFlight.abort();
    inFlight = window.AbortController ? new AbortController() : null;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      signal: inFlight ? inFlight.signal : undefined
    }).then(function (r) { return r.text(); })
      .then(function (html) { frame.srcdoc = html; })
      .catch(function () { /* aborted or offline: the next change tries again */ });
  }
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, 500);
  }

  /* ---- autosave ---- */
  function store() {
    var s = storage();
    if (!s || readOnly) return;
    try {
      s.setItem(key, JSON.stringify({saved_at: Date.now(), fields: values()}));
    } catch (e) { /* full or forbidden: nothing to do */ }
  }

  function differs(saved) {
    var now = values();
    return FIELDS.some(function (name) { return name in saved && saved[name] !== now[name]; });
  }

  function offerRestore() {
    var s = storage();
    if (!s || !banner || readOnly) return;
    var copy = null;
    try { copy = JSON.parse(s.getItem(key) || "null"); } catch (e) { copy = null; }
    if (!copy || !copy.fields || !(copy.saved_at > serverSaved) || !differs(copy.fields)) return;
    var when = new Date(copy.saved_at);
    banner.textContent = "This browser kept text you had not saved. ";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.id = "autosave-restore";
    restore.textContent = "Restore unsaved text from " + when.toLocaleString();
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = "Discard it";
    restore.addEventListener("click", function () {
      fill(copy.fields);
      banner.hidden = true;
      schedulePreview();
    });
    discard.addEventListener("click", function () {
      s.removeItem(key);
      banner.hidden = true;
    });
    banner.appendChild(restore);
    banner.appendChild(discard);
    banner.hidden = false;
  }

  var s = storage();
  if (form.getAttribute("data-saved") === "1" && s) {
    s.removeItem(key);
    var from = window.sessionStorage && sessionStorage.getItem("gazette:submitted");
    if (from) s.removeItem(from);
  } else {
    offerRestore();
  }
  if (window.sessionStorage) sessionStorage.removeItem("gazette:submitted");

  form.addEventListener("input", function () { store(); schedulePreview(); });
  form.addEventListener("change", function () { store(); schedulePreview(); });
  form.addEventListener("submit", function () {
    try { sessionStorage.setItem("gazette:submitted", key); } catch (e) { /* ignore */ }
  });
  preview();
})();
