// Filters for the equivalence report: by status (buttons) and by text (a search box).
// The page reads fine without it: everything is shown, the controls stay hidden.
// It only reads data-* attributes and textContent and toggles `hidden`: no HTML is built.
(function () {
  "use strict";
  var filters = document.getElementById("filters");
  if (!filters) { return; }
  var input = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  var buttons = Array.prototype.slice.call(filters.querySelectorAll("button[data-filter]"));
  // Filtered things: case sections, disagreement/drift rows (data-statuses), matrix rows
  // (statuses read from their cells' data-status).
  var items = Array.prototype.slice.call(document.querySelectorAll("section.case, tr[data-statuses]"));
  var matrixRows = Array.prototype.slice.call(document.querySelectorAll("table.matrix tbody tr"));
  function statusesOf(element) {
    var own = element.getAttribute("data-statuses");
    if (own !== null) { return own.split(" "); }
    return Array.prototype.map.call(element.querySelectorAll("[data-status]"), function (cell) {
      return cell.getAttribute("data-status");
    });
  }
  function textOf(element) {
    return (element.getAttribute("data-search") || element.textContent || "").toLowerCase();
  }
  var all = items.concat(matrixRows).map(function (element) {
    return { element: element, statuses: statusesOf(element), text: textOf(element) };
  });
  function apply() {
    var wanted = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
      .map(function (b) { return b.getAttribute("data-filter"); });
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    all.forEach(function (item) {
      var byStatus = wanted.length === 0 || wanted.some(function (s) { return item.statuses.indexOf(s) >= 0; });
      var byText = words.every(function (w) { return item.text.indexOf(w) >= 0; });
      item.element.hidden = !(byStatus && byText);
      if (!item.element.hidden && item.element.matches("section.case")) { shown += 1; }
    });
    var total = document.querySelectorAll("section.case").length;
    count.textContent = (wanted.length || words.length) ? shown + " of " + total + " cases" : "";
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
  input.addEventListener("input", apply);
  // Following a link to a case that a filter hides shows it anyway.
  function reveal() {
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.hidden) { target.hidden = false; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  // Printing shows everything: open every <details>.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  filters.hidden = false;
})();
