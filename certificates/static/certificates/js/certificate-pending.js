/* The course finished page while its certificate is being made: ask the page
   again now and then, and reload it once the certificate is there. After a
   couple of minutes stop asking and say where it will appear. Without this
   file the page offers a reload link. Text comes from data-* attributes. */
(function () {
  "use strict";

  var pending = document.querySelector("[data-certificate-pending]");
  if (!pending || !window.fetch) return;
  // Quick at first (a certificate usually takes a few seconds), then less often.
  var delays = [2000, 2000, 3000, 3000, 5000, 5000, 5000, 10000, 10000, 10000, 15000, 15000, 15000];
  var step = 0;

  function slow() {
    var message = pending.querySelector("[data-pending-message]");
    if (message) message.textContent = pending.getAttribute("data-slow-message");
  }

  function ask() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (html && html.indexOf("data-certificate-pending") === -1) {
          window.location.reload();
        } else {
          next();
        }
      })
      .catch(next);
  }

  function next() {
    if (step >= delays.length) {
      slow();
      return;
    }
    window.setTimeout(ask, delays[step]);
    step += 1;
  }

  next();
})();
