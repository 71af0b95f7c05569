/* Long admin jobs (roster import, large XLSX export): poll the job's row as
   JSON until it has finished, then reload to show the result. The page names
   what to update with data-poll-status and, optionally, data-poll-elapsed. */
(function () {
  const root = document.querySelector("[data-poll-interval]");
  if (!root) return;
  const interval = Number(root.getAttribute("data-poll-interval")) || 2000;
  const status = document.querySelector("[data-poll-status]");
  const elapsed = document.querySelector("[data-poll-elapsed]");
  async function poll() {
    try {
      const response = await fetch("?format=json", { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (data.finished) { window.location.reload(); return; }
      if (status) status.textContent = data.label;
      if (elapsed && "elapsed_seconds" in data) elapsed.textContent = data.elapsed_seconds;
    } catch (error) { /* keep polling: the network may come back */ }
    window.setTimeout(poll, interval);
  }
  window.setTimeout(poll, interval);
})();
