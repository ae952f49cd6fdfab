// Refreshes a queued or running job's page from the JSON API: status, progress, message and log
// lines change in place; once the job has finished, the page is loaded again to show its outcome.
(function () {
  'use strict';
  var body = document.body;
  if (body.dataset.page !== 'job') {
    return;
  }
  var id = body.dataset.jobId;
  var active = function (status) { return status === 'queued' || status === 'running'; };
  if (!active(body.dataset.status)) {
    return;
  }

  function setText(elementId, text) {
    var element = document.getElementById(elementId);
    if (element) {
      element.textContent = text == null ? '' : String(text);
    }
  }

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    row.appendChild(td);
  }

  function showLog(log) {
    var rows = document.getElementById('log');
    if (!rows || !log) {
      return;
    }
    rows.textContent = '';
    log.lines.forEach(function (line) {
      var row = document.createElement('tr');
      row.className = 'level-' + line.level;
      cell(row, line.at);
      cell(row, line.attempt);
      cell(row, line.level);
      cell(row, line.message);
      rows.appendChild(row);
    });
    setText('log-dropped', log.dropped > 0 ? log.dropped + ' older lines dropped' : '');
  }

  function show(job) {
    var status = document.querySelector('#status .status');
    if (status) {
      status.textContent = job.status;
      status.className = 'status status-' + job.status;
    }
    var progress = document.getElementById('progress');
    if (progress) {
      progress.value = job.progress;
    }
    setText('progress-text', job.progress + '%');
    setText('message', job.resultMessage);
    showLog(job.log);
    body.dataset.status = job.status;
  }

  var timer = setInterval(function () {
    fetch('/api/jobs/' + encodeURIComponent(id), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) {
          return;
        }
        show(job);
        if (!active(job.status)) {
          clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () { /* the next tick tries again */ });
  }, 1000);
})();
