/* Wide display maths on paper: shrink each equation wider than its column until it fits.
 *
 * On screen a wide equation scrolls sideways (maths.css); paper cannot scroll, so when the page
 * is laid out for print (the browser's Print, and python -m coursetools.build_book --pdf, which calls
 * nnlibFitMaths() itself) every display equation whose content is wider than its box gets a
 * smaller font size, in proportion, and the original size is restored afterwards.
 * nnlibFitMaths() returns the number of equations shrunk (so far) and, in `window.nnlibMathsTooWide`,
 * any that still do not fit.
 */
(function () {
  "use strict";
  var SMALLEST = 0.5;   // never below half size: such an equation should be rewritten instead
  function displayMaths() {
    return Array.prototype.slice.call(document.querySelectorAll('mjx-container[display="true"]'));
  }
  function fit() {
    var shrunk = 0, tooWide = [];
    displayMaths().forEach(function (m) {
      if (m.dataset.nnlibFontSize === undefined) m.dataset.nnlibFontSize = m.style.fontSize || "";
      for (var i = 0; i < 4 && m.scrollWidth > m.clientWidth + 1; i++) {
        var size = parseFloat(getComputedStyle(m).fontSize);
        var parent = parseFloat(getComputedStyle(m.parentElement).fontSize);
        var scale = Math.max(m.clientWidth / m.scrollWidth * 0.98, SMALLEST * parent / size);
        if (scale >= 1) break;
        m.style.fontSize = (size * scale) + "px";
        m.dataset.nnlibShrunk = "1";
      }
      if (m.dataset.nnlibShrunk) shrunk += 1;
      if (m.scrollWidth > m.clientWidth + 1) tooWide.push((m.textContent || "").slice(0, 60));
    });
    window.nnlibMathsTooWide = tooWide;
    return shrunk;
  }
  function unfit() {
    displayMaths().forEach(function (m) {
      if (m.dataset.nnlibFontSize !== undefined) {
        m.style.fontSize = m.dataset.nnlibFontSize;
        delete m.dataset.nnlibFontSize;
        delete m.dataset.nnlibShrunk;
      }
    });
  }
  window.nnlibFitMaths = fit;
  window.nnlibUnfitMaths = unfit;
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) fit(); else unfit(); };
    if (print.addEventListener) print.addEventListener("change", onChange);
    else if (print.addListener) print.addListener(onChange);
  }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", unfit);
})();
