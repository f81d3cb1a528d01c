// The site's only script of its own. The Content-Security-Policy allows no
// inline script and no eval, so behaviour that htmx would otherwise express
// with a JavaScript filter lives here.

// The cards of the composed pages reload when the reader comes back to the
// browser tab (config/composition_tags.py, REFRESH_TRIGGER).
document.addEventListener("visibilitychange", function () {
  if (document.visibilityState === "visible") {
    document.dispatchEvent(new Event("page-visible"));
  }
});

// On a phone a tab bar (nav.tabs) scrolls sideways: show the current tab.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".tabs ul").forEach(function (list) {
    var current = list.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = current.offsetLeft - list.offsetLeft - 16;
    }
  });
});
