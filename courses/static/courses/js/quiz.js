/* Quiz pages: save each answer as it is given, count down a time limit, and
   wait for the grade. Without this file the pages still work: the form posts
   as usual and a link shows the result. Text comes from data-msg-* attributes
   (translated on the server), so nothing here needs translating. */
(function () {
  "use strict";

  // Posted urlencoded rather than as multipart FormData: the server parses a
  // multipart body at several times the cost, on every save and submission.
  // Built pair by pair: older browsers' URLSearchParams takes no FormData.
  function encoded(body) {
    if (!window.URLSearchParams || !body.forEach) return body;
    var params = new URLSearchParams();
    body.forEach(function (value, name) { params.append(name, value); });
    return params;
  }

  function initQuizForm(form) {
    var saveUrl = form.getAttribute("data-save-url");
    var status = form.querySelector("[data-save-status]");
    var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    var dirty = {};
    var saving = false;
    var retryDelay = 2000;
    var retryTimer = null;
    var submitting = false;
    // The save request in flight, if any: submitting waits for it, so a save
    // never reaches the server after the attempt was sent for grading.
    var inflight = null;

    function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
    function say(text, kind) {
      status.textContent = text;
      status.className = "quiz-save-status" + (kind ? " quiz-save-status--" + kind : "");
    }

    function flush() {
      var ids = Object.keys(dirty);
      if (saving || submitting || !ids.length) return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      ids.forEach(function (id) {
        body.append("question", id);
        form.querySelectorAll("input[name='answer-" + id + "']:checked").forEach(function (input) {
          body.append("answer-" + id, input.value);
        });
      });
      dirty = {};
      saving = true;
      say(msg("saving"));
      inflight = fetch(saveUrl, { method: "POST", body: encoded(body), credentials: "same-origin",
                       headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, status: response.status, data: data };
          });
        })
        .then(function (result) {
          saving = false;
          if (result.ok) {
            retryDelay = 2000;
            say(msg("saved"), "ok");
            flush();
            return;
          }
          if (result.status === 429) {
            // Too many saves: nothing was taken; send these answers again once allowed.
            ids.forEach(function (id) { dirty[id] = true; });
            say(result.data.error || msg("failed"), "error");
            window.clearTimeout(retryTimer);
            retryTimer = window.setTimeout(flush, (result.data.retry_after || 60) * 1000);
            return;
          }
          // Refused (time up, or not allowed): say why; the server kept what it had.
          say(result.data.error || msg("failed"), "error");
          if (result.data.url) window.setTimeout(function () { window.location.assign(result.data.url); }, 1500);
        })
        .catch(function () {
          // No connection: keep the answers to send again, a little later each time.
          saving = false;
          ids.forEach(function (id) { dirty[id] = true; });
          say(msg("offline"), "error");
          window.clearTimeout(retryTimer);
          retryTimer = window.setTimeout(flush, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 30000);
        });
    }

    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest("[data-question]");
      if (!fieldset) return;
      dirty[fieldset.getAttribute("data-question")] = true;
      flush();
    });
    window.addEventListener("online", flush);

    function enableButtons(enabled) {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = !enabled; });
    }

    // Sends the answers without leaving the page, then waits for the grade
    // here: one page fewer to download on a slow link.
    function sendForGrading(submitter) {
      var body = new FormData(form);
      body.set("action", "submit");
      // getAttribute: form.action would be the buttons named "action".
      fetch(form.getAttribute("action"), { method: "POST", body: encoded(body), credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) {
            // Refused: the attempt is as it was; say why and let the volunteer try again.
            submitting = false;
            enableButtons(true);
            say(result.data.error || msg("send-failed"), "error");
            return;
          }
          if (result.data.state === "graded") { window.location.replace(result.data.url); return; }
          var box = document.querySelector("[data-grading-box]");
          form.hidden = true;
          var timer = document.querySelector(".quiz-timer");
          if (timer) timer.hidden = true;
          box.hidden = false;
          box.focus();
          waitForGrade(result.data.status_url, result.data.poll_schedule, result.data.url);
        })
        .catch(function () {
          submitting = false;
          enableButtons(true);
          say(msg("send-failed"), "error");
        });
    }

    form.addEventListener("submit", function (event) {
      if (submitting) { event.preventDefault(); return; }
      var submitter = event.submitter;
      var grading = !submitter || submitter.value === "submit";
      if (grading) {
        var unanswered = Array.prototype.filter.call(
          form.querySelectorAll("[data-question]"),
          function (fieldset) { return !fieldset.querySelector("input:checked"); }
        ).length;
        if (unanswered && !form.hasAttribute("data-time-up") &&
            !window.confirm(msg("unanswered").replace("%(count)s", unanswered))) {
          event.preventDefault();
          return;
        }
      }
      submitting = true;
      if (grading && window.fetch && window.FormData) {
        event.preventDefault();
        enableButtons(false);
        (inflight || Promise.resolve()).then(function () { sendForGrading(submitter); });
        return;
      }
      // A plain post: disabled after this event, so the clicked button's value is still sent.
      window.setTimeout(function () { enableButtons(false); }, 0);
    });

    var timer = document.querySelector("[data-seconds-left]");
    if (timer) startCountdown(form, timer);
  }

  function startCountdown(form, timer) {
    var left = timer.querySelector("[data-countdown]");
    var end = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    timer.hidden = false;
    function tick() {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      var text = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      left.textContent = (timer.getAttribute("data-msg-left") || "").replace("%(time)s", text);
      if (seconds <= 60) timer.classList.add("quiz-timer--ending");
      if (seconds > 0) { window.setTimeout(tick, 1000); return; }
      // Time is up: send what is on the page now (the server allows a grace period).
      form.setAttribute("data-time-up", "");
      var button = form.querySelector("[data-submit]");
      if (form.requestSubmit) form.requestSubmit(button); else button.click();
    }
    tick();
  }

  // Polls the status URL on the server's schedule ([[delay in ms, times], ...],
  // the last pair repeating; see courses/views/quiz.py) until the grade is
  // written, then shows the result page.
  function waitForGrade(url, schedule, resultUrl) {
    var step = 0;
    var done = 0;
    function next() {
      while (step < schedule.length - 1 && done >= schedule[step][1]) { step += 1; done = 0; }
      done += 1;
      window.setTimeout(poll, schedule[step][0]);
    }
    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.state === "graded" || data.state === "open") {
            window.location.replace(data.url || resultUrl);
            return;
          }
          next();
        })
        .catch(next);
    }
    next();
  }

  function initGradingWait(box) {
    var message = box.querySelector("[data-live-message]");
    if (message) message.textContent = message.getAttribute("data-live-message");
    waitForGrade(
      box.getAttribute("data-status-url"),
      JSON.parse(box.getAttribute("data-poll-schedule") || "[[1000, 0]]"),
      box.getAttribute("data-result-url")
    );
  }

  document.querySelectorAll("form[data-save-url]").forEach(initQuizForm);
  document.querySelectorAll("[data-status-url]").forEach(initGradingWait);
})();
