// Suggestions under the search box while the volunteer types. The search form
// works without this script; it only adds links to the matching pages.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch || !window.AbortController) return;
  var input = form.querySelector("input[name=q]");
  var box = document.getElementById(input.getAttribute("aria-controls"));
  var status = document.getElementById("search-suggestions-status");
  var url = form.getAttribute("data-suggest-url");
  var foundTemplate = form.getAttribute("data-found-template");
  var timer = null;
  var pending = null;

  function links() {
    return Array.prototype.slice.call(box.querySelectorAll("a"));
  }

  function close() {
    box.hidden = true;
    box.textContent = "";
  }

  function show(suggestions) {
    box.textContent = "";
    if (!suggestions.length) {
      close();
      status.textContent = "";
      return;
    }
    var list = document.createElement("ul");
    suggestions.forEach(function (item) {
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      if (item.context) {
        var context = document.createElement("small");
        context.textContent = item.context;
        link.appendChild(context);
      }
      var entry = document.createElement("li");
      entry.appendChild(link);
      list.appendChild(entry);
    });
    box.appendChild(list);
    box.hidden = false;
    status.textContent = foundTemplate.replace("{count}", suggestions.length);
  }

  function load() {
    var query = input.value.trim();
    if (query.length < 2) {
      close();
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(url + "?q=" + encodeURIComponent(query), {
      signal: pending.signal,
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        // An older answer may arrive after the volunteer typed on.
        if (input.value.trim() === query) show(data.suggestions);
      })
      .catch(function () {
        // Offline or aborted: the form still submits to the search page.
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });

  // Arrow keys move between the input and the suggested links; Escape closes.
  form.addEventListener("keydown", function (event) {
    var items = links();
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && items.length) {
      items[Math.min(index + 1, items.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && index >= 0) {
      (index === 0 ? input : items[index - 1]).focus();
      event.preventDefault();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();
