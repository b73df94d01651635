// The equivalence report's controls: filters by status and by text, settable from the URL
// (?status=fail,error&q=loss), a "next failure" button (key n, and p for the previous),
// links that open the folded case they point into, and printing that opens what a
// failing case folds. The page reads fine without it: everything is there, the failing
// cases are open, the controls stay hidden. It only reads data-* attributes and toggles
// `hidden` and `open`: no HTML is built.
(function () {
  "use strict";
  var root = document.documentElement;
  var filters = document.getElementById("filters");
  var bar = document.getElementById("bar");
  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  // The bar's height, for sticky headings below it and for scrolling to an anchor.
  function measure() { if (bar) { root.style.setProperty("--bar-h", bar.offsetHeight + "px"); } }
  measure();
  window.addEventListener("resize", measure);

  // -- opening what a link points into -------------------------------------------------
  function target() {
    if (!location.hash) { return null; }
    var id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it as it is */ }
    return document.getElementById(id);
  }
  function reveal(element, scroll) {
    if (!element) { return; }
    if (element.matches("section.case")) { element.querySelector("details").open = true; }
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
      if (node.hidden) { node.hidden = false; }
    }
    if (scroll) { element.scrollIntoView(); }
  }
  window.addEventListener("hashchange", function () { reveal(target(), true); });

  // -- filters -------------------------------------------------------------------------
  var units = [];
  var buttons = [];
  var input = null;
  if (filters) {
    var item = filters.getAttribute("data-item") || "section.case";
    var unitName = filters.getAttribute("data-unit") || "cases";
    input = document.getElementById("filter-text");
    var count = document.getElementById("filter-count");
    buttons = Array.prototype.slice.call(filters.querySelectorAll("button[data-filter]"));
    units = Array.prototype.map.call(document.querySelectorAll(item), function (element) {
      return { element: element, status: element.getAttribute("data-f") || "",
               text: (element.getAttribute("data-search") || "").toLowerCase(),
               id: element.getAttribute("data-case") };
    });
    // Elements that follow a case: its matrix row, its failures, its disagreements.
    var followers = {};
    each("[data-case]:not(" + item + ")", function (element) {
      var id = element.getAttribute("data-case");
      (followers[id] = followers[id] || []).push(element);
    });
    var apply = function (remember) {
      var wanted = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
        .map(function (b) { return b.getAttribute("data-filter"); });
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      units.forEach(function (unit) {
        var visible = (wanted.length === 0 || wanted.indexOf(unit.status) >= 0) &&
          words.every(function (w) { return unit.text.indexOf(w) >= 0; });
        unit.element.hidden = !visible;
        (followers[unit.id] || []).forEach(function (f) { f.hidden = !visible; });
        if (visible) { shown += 1; }
      });
      count.textContent = (wanted.length || words.length) ? shown + " of " + units.length + " " + unitName : "";
      root.classList.toggle("filtered", wanted.length > 0 || words.length > 0);
      if (remember) {
        var params = new URLSearchParams(location.search);
        if (wanted.length) { params.set("status", wanted.join(",")); } else { params.delete("status"); }
        if (words.length) { params.set("q", input.value.trim()); } else { params.delete("q"); }
        var query = params.toString();
        try { history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash); } catch (e) { /* file: URLs may refuse */ }
      }
    };
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
        apply(true);
      });
    });
    var typing = null;
    input.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(function () { apply(true); }, 120); });
    // ?status=fail,error&q=words, as pytest-html reads its URL.
    var params = new URLSearchParams(location.search);
    var statuses = (params.get("status") || "").split(",").filter(Boolean);
    buttons.forEach(function (b) {
      if (statuses.indexOf(b.getAttribute("data-filter")) >= 0) { b.setAttribute("aria-pressed", "true"); }
    });
    input.value = params.get("q") || "";
    if (statuses.length || input.value) { apply(false); }
    filters.hidden = false;
  }

  // -- next and previous failure -------------------------------------------------------
  var failing = Array.prototype.filter.call(document.querySelectorAll("section.case"), function (s) {
    return ["error", "fail", "unexpected_pass"].indexOf(s.getAttribute("data-f")) >= 0;
  });
  var next = document.getElementById("next-failure");
  function jump(step) {
    var shown = failing.filter(function (s) { return !s.hidden; });
    if (!shown.length) { return; }
    var line = (bar ? bar.offsetHeight : 0) + 8;
    var index = step > 0 ? shown.findIndex(function (s) { return s.getBoundingClientRect().top > line; })
      : shown.length - 1 - shown.slice().reverse().findIndex(function (s) { return s.getBoundingClientRect().top < line - 16; });
    if (index < 0 || index >= shown.length) { index = step > 0 ? 0 : shown.length - 1; }
    var id = shown[index].id;
    if (location.hash === "#" + id) { reveal(shown[index], true); } else { location.hash = id; }
  }
  if (next && failing.length) {
    next.hidden = false;
    next.addEventListener("click", function () { jump(1); });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (event.key === "n") { jump(1); } else if (event.key === "p") { jump(-1); }
  });

  // -- printing: what a failing case folds is printed open; passing cases stay one line --
  window.addEventListener("beforeprint", function () {
    failing.forEach(function (s) {
      Array.prototype.forEach.call(s.querySelectorAll("details"), function (d) { d.open = true; });
    });
  });

  reveal(target(), true);
  // When the controls work, in ms since the navigation started (benchmarks/report.py reads it).
  root.setAttribute("data-ready", String(Math.round(performance.now())));
})();
