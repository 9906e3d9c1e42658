// Live progress of a training run: polls the run's JSON and reloads the page once the run has finished,
// so the metrics and the confusion matrix appear. Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var status = document.getElementById("run-status");
  var phase = document.getElementById("run-phase");
  var bar = document.getElementById("run-bar");
  var percent = document.getElementById("run-percent");
  var loss = document.getElementById("run-loss");
  var live = document.getElementById("run-live");
  var failures = 0;

  function show(run) {
    status.textContent = run.status;
    status.className = "badge " + run.status;
    phase.textContent = run.phase;
    bar.value = run.percent;
    percent.textContent = run.percent.toFixed(1);
    loss.textContent = run.loss === null ? "—" : run.loss.toFixed(4);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("progress unavailable (" + response.status + ")");
        }
        return response.json();
      })
      .then(function (run) {
        failures = 0;
        show(run);
        if (run.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) {
          live.textContent = "Lost contact with the server; reload the page to follow the run.";
          return;
        }
        window.setTimeout(poll, 2000);
      });
  }

  window.setTimeout(poll, 1000);
})();
