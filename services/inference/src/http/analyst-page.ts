import { createHash } from 'node:crypto';

/*
 * The analyst page served at GET /: one self-contained HTML document (inline CSS and JS, no external
 * resource, no build step). The analyst picks a CSV; the page uploads it to POST /predict (asking for the
 * first feature columns back with `echo`) and shows a sortable table, malicious rows first, then by score.
 * Every value from the CSV or the service is written with textContent, never parsed as HTML.
 */

/** Feature columns of the CSV shown beside row, record id, label and score. */
export const PAGE_FEATURE_COLUMNS = 6;

const STYLE = `
:root { color-scheme: light; --bad: #b42318; --bad-bg: #fef3f2; --ok: #067647; --line: #e4e7ec; --muted: #667085; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #101828; background: #f9fafb; }
header { padding: 16px 24px; background: #101828; color: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 18px; font-weight: 600; }
#model { color: #d0d5dd; font-size: 13px; }
main { padding: 16px 24px; }
.upload { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 12px 16px; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.upload button { padding: 6px 14px; border: 1px solid #344054; border-radius: 6px; background: #344054; color: #fff; cursor: pointer; }
.upload button:disabled { opacity: .5; cursor: default; }
#status { color: var(--muted); }
body[data-state="error"] #status { color: var(--bad); font-weight: 600; }
.summary { display: flex; gap: 12px; margin: 16px 0; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad b { color: var(--bad); }
.scroll { max-height: 70vh; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
/* Fixed layout: column widths come from the header, so 10,000 rows are laid out without measuring each cell. */
#predictions { table-layout: fixed; min-width: 900px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th { position: sticky; top: 0; background: #f2f4f7; z-index: 1; }
th.k-row { width: 5em; } th.k-recordId { width: 16em; } th.k-label { width: 8em; } th.k-score { width: 6em; }
th.k-row, th.k-score { text-align: right; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid #2e90fa; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 10px; }
td.num { text-align: right; }
tr.malicious td { background: var(--bad-bg); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #ecfdf3; color: var(--ok); }
tr.malicious .badge { background: #fee4e2; color: var(--bad); }
h2 { font-size: 15px; margin: 24px 0 8px; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var FEATURES = ${PAGE_FEATURE_COLUMNS};
  var $ = function (id) { return document.getElementById(id); };
  var state = { rows: [], columns: [], key: 'default', dir: 'desc' };

  function setState(name, text) {
    document.body.dataset.state = name;
    $('status').textContent = text;
    $('score').disabled = name === 'busy';
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  async function submit() {
    var file = $('file').files[0];
    if (!file) { setState('error', 'Choose a CSV file first.'); return; }
    var form = new FormData();
    form.append('file', file, file.name);
    setState('busy', 'Scoring ' + file.name + ' \\u2026');
    var res, body;
    try {
      res = await fetch('predict?echo=' + FEATURES, { method: 'POST', body: form });
    } catch (e) {
      setState('error', 'The service cannot be reached: ' + e.message);
      return;
    }
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok || !body) {
      var what = body && body.error ? body.error : 'HTTP ' + res.status;
      setState('error', what + (body && body.message ? ': ' + body.message : ''));
      return;
    }
    show(file.name, body);
  }

  function show(name, body) {
    var inputs = body.inputs || { columns: [], values: [] };
    state.columns = inputs.columns.slice(0, FEATURES);
    state.rows = body.predictions.map(function (p) {
      var values = inputs.values[p.row] || [];
      return { row: p.row, recordId: p.recordId, label: p.label, score: p.score, isPositive: p.isPositive,
               cells: state.columns.map(function (_, i) { return values[i] === undefined ? null : values[i]; }) };
    });
    state.key = 'default';
    state.dir = 'desc';
    var m = body.model;
    $('model').textContent = 'Model ' + m.version + ' \\u00b7 dataset ' + m.dataset + ' \\u00b7 threshold ' + m.threshold;
    var malicious = state.rows.filter(function (r) { return r.isPositive; }).length;
    $('n-scored').textContent = String(state.rows.length);
    $('n-malicious').textContent = String(malicious);
    $('n-rejected').textContent = String(body.rejected.length);
    $('n-ms').textContent = body.scoringMs.toFixed(1);
    $('malicious-label').textContent = m.labels.positive;
    $('summary').hidden = false;
    renderHead();
    renderBody();
    $('results').hidden = false;
    renderRejected(body.rejected);
    setState('done', name + ': ' + state.rows.length + ' scored, ' + malicious + ' ' + m.labels.positive + ', ' +
      body.rejected.length + ' rejected.');
  }

  var FIXED = [
    { key: 'row', title: 'Row', hint: 'Data row in the file (1 = the first row after the header)' },
    { key: 'recordId', title: 'Record id' },
    { key: 'label', title: 'Label', hint: 'Malicious rows first, then by score' },
    { key: 'score', title: 'Score', hint: 'Probability of the positive (malicious) class' }
  ];

  function renderHead() {
    var tr = $('head');
    tr.replaceChildren();
    var heads = FIXED.concat(state.columns.map(function (c, i) { return { key: 'f' + i, title: c }; }));
    heads.forEach(function (h) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.dataset.key = h.key;
      th.className = 'k-' + h.key;
      th.title = h.hint || h.title;
      var active = state.key === h.key || (state.key === 'default' && h.key === 'label');
      th.setAttribute('aria-sort', active ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = h.title;
      b.addEventListener('click', function () { sortBy(h.key); });
      th.appendChild(b);
      tr.appendChild(th);
    });
  }

  function asNumber(v) {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string' || v.trim() === '') return NaN;
    var n = Number(v);
    return isFinite(n) ? n : NaN;
  }

  function compareValues(a, b) {
    var aMissing = a === null || a === '', bMissing = b === null || b === '';
    if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
    var x = asNumber(a), y = asNumber(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return String(a).localeCompare(String(b));
  }

  function comparator(key, dir) {
    var sign = dir === 'asc' ? 1 : -1;
    if (key === 'default') {
      return function (a, b) {
        return (Number(b.isPositive) - Number(a.isPositive)) || (b.score - a.score) || (a.row - b.row);
      };
    }
    if (key === 'label') {
      return function (a, b) {
        return sign * ((Number(a.isPositive) - Number(b.isPositive)) || (a.score - b.score)) || (a.row - b.row);
      };
    }
    if (key === 'score' || key === 'row') {
      return function (a, b) { return sign * (a[key] - b[key]) || (a.row - b.row); };
    }
    if (key === 'recordId') {
      return function (a, b) { return sign * compareValues(a.recordId, b.recordId) || (a.row - b.row); };
    }
    var i = Number(key.slice(1));
    return function (a, b) { return sign * compareValues(a.cells[i], b.cells[i]) || (a.row - b.row); };
  }

  function sortBy(key) {
    if (state.key === key || (state.key === 'default' && key === 'label')) {
      state.dir = state.dir === 'asc' ? 'desc' : 'asc';
      state.key = key;
    } else {
      state.key = key;
      state.dir = key === 'score' || key === 'label' ? 'desc' : 'asc';
    }
    renderHead();
    renderBody();
  }

  function rowElement(r) {
    var tr = document.createElement('tr');
    if (r.isPositive) tr.className = 'malicious';
    cell(tr, r.row + 1, 'num');
    cell(tr, r.recordId).title = r.recordId;
    var badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = r.label;
    cell(tr, '').appendChild(badge);
    cell(tr, r.score.toFixed(4), 'num');
    r.cells.forEach(function (v) {
      cell(tr, v, typeof v === 'number' || !isNaN(asNumber(v)) ? 'num' : '').title = v === null ? '' : String(v);
    });
    return tr;
  }

  // The first rows (the most suspicious, by default) appear at once; the rest follow in chunks so the page
  // stays responsive with 10,000 rows. A new sort abandons a rendering still in progress.
  var renderToken = 0;
  function renderBody() {
    var rows = state.rows.slice().sort(comparator(state.key, state.dir));
    var token = ++renderToken;
    var tbody = $('body');
    var next = 0;
    document.body.dataset.render = 'busy';
    tbody.replaceChildren();
    function chunk(size) {
      if (token !== renderToken) return;
      var frag = document.createDocumentFragment();
      var end = Math.min(rows.length, next + size);
      for (; next < end; next++) frag.appendChild(rowElement(rows[next]));
      tbody.appendChild(frag);
      if (next < rows.length) setTimeout(function () { chunk(2000); }, 0);
      else document.body.dataset.render = 'done';
    }
    chunk(300);
  }

  function renderRejected(rejected) {
    var frag = document.createDocumentFragment();
    rejected.forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, r.row + 1, 'num');
      cell(tr, r.recordId);
      cell(tr, r.code);
      cell(tr, r.reason);
      frag.appendChild(tr);
    });
    $('rejected-body').replaceChildren(frag);
    $('rejected-section').hidden = rejected.length === 0;
  }

  $('file').addEventListener('change', function () { void submit(); });
  $('score').addEventListener('click', function () { void submit(); });
  setState('idle', 'Choose a CSV file with the dataset\\u2019s columns (a header line first).');
})();
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netsentry · score a CSV</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-state="idle" data-render="done">
<header>
  <h1>netsentry · score a CSV</h1>
  <div id="model">No file scored yet</div>
</header>
<main>
  <section class="upload" aria-label="Upload">
    <label>CSV file <input type="file" id="file" accept=".csv,text/csv"></label>
    <button type="button" id="score">Score again</button>
    <span id="status" role="status" aria-live="polite"></span>
  </section>
  <section class="summary" id="summary" hidden>
    <div class="card"><b id="n-scored"></b><span>scored</span></div>
    <div class="card bad"><b id="n-malicious"></b><span id="malicious-label">malicious</span></div>
    <div class="card"><b id="n-rejected"></b><span>rejected</span></div>
    <div class="card"><b id="n-ms"></b><span>scoring ms</span></div>
  </section>
  <section id="results" hidden>
    <div class="scroll">
      <table id="predictions">
        <thead><tr id="head"></tr></thead>
        <tbody id="body"></tbody>
      </table>
    </div>
  </section>
  <section id="rejected-section" hidden>
    <h2>Rejected rows</h2>
    <div class="scroll">
      <table id="rejected">
        <thead><tr><th scope="col">Row</th><th scope="col">Record id</th><th scope="col">Code</th><th scope="col">Reason</th></tr></thead>
        <tbody id="rejected-body"></tbody>
      </table>
    </div>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page itself. */
export const ANALYST_PAGE_HTML = HTML;

/**
 * Content-Security-Policy of the page: only its own inline script and style (by hash) run, and it may only
 * talk to its own origin; an injected element or handler could not run even if escaping ever failed.
 */
export const ANALYST_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
