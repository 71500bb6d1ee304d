/*
 * The page's script, plain browser JavaScript sent inline (with the page's CSP nonce). It opens
 * the event stream, keeps the last events in memory, and renders with textContent only: keys are
 * the app's data and must never become markup. No template literals inside (this is one).
 */
export const CONSOLE_SCRIPT = `
(function () {
  'use strict';
  var base = document.body.getAttribute('data-base');
  var MAX_ROWS = 500;
  // Batches arrive up to ten times a second; the table is rebuilt at most four times a second, so
  // a busy app does not make the page (often on the same machine) burn a core redrawing it.
  var RENDER_MS = 250;
  var renderQueued = false;
  var events = [];
  var paused = false;
  var held = 0;
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  var row = function (cells) {
    var tr = el('tr');
    cells.forEach(function (c) { tr.appendChild(el('td', c)); });
    return tr;
  };
  var fill = function (id, rows, empty, columns) {
    var body = $(id);
    body.replaceChildren();
    if (rows.length === 0) {
      var td = el('td', empty, 'empty');
      td.colSpan = columns;
      var tr = el('tr');
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (cells) { body.appendChild(row(cells)); });
  };
  var secs = function (ms) { return (ms / 1000).toFixed(1) + ' s'; };
  var time = function (at) { return new Date(at).toISOString().slice(11, 23); };

  function matches(e) {
    var type = $('filter-type').value;
    var prefix = $('filter-prefix').value;
    if (type && e.type !== type && e.type.indexOf(type + '.') !== 0) return false;
    if (prefix && (e.key || '').indexOf(prefix) !== 0) return false;
    return true;
  }

  function renderEvents() {
    var shown = events.filter(matches).slice(-200).reverse();
    fill('events', shown.map(function (e) {
      var ms = e.durationMs === undefined ? '' : e.durationMs.toFixed(2) + ' ms';
      return [time(e.at), e.type, e.key || '', e.namespace || '', e.tier || '', ms, e.detail || ''];
    }), 'no events yet', 7);
    $('pause').textContent = paused ? 'Resume (' + held + ' new)' : 'Pause';
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(function () {
      renderQueued = false;
      if (!paused) renderEvents();
    }, RENDER_MS);
  }

  function chart(id, values, max, label) {
    var svg = $(id);
    var w = 300, h = 80;
    var top = Math.max(max || 0, 1);
    var step = values.length > 1 ? w / (values.length - 1) : w;
    var points = values.map(function (v, i) {
      return (i * step).toFixed(1) + ',' + (h - (v / top) * (h - 4) - 2).toFixed(1);
    }).join(' ');
    svg.querySelector('polyline').setAttribute('points', points);
    svg.querySelector('text').textContent = label;
  }

  function renderState(s) {
    $('conn').textContent = s.connection.redis;
    $('conn').className = 'badge ' + s.connection.redis;
    $('breaker').textContent = s.connection.breaker === null ? 'no breaker' : 'breaker ' + s.connection.breaker;
    $('buffer').textContent = s.buffer.size + '/' + s.buffer.capacity + ' events buffered';
    var t = s.totals;
    $('totals').textContent = t.hits + ' hits (' + t.l1Hits + ' L1), ' + t.misses + ' misses, ' +
      t.writes + ' writes, ' + t.deletes + ' deletes, ' + t.errors + ' errors';
    var ratios = s.series.map(function (p) { var r = p.hits + p.misses; return r ? p.hits / r : 0; });
    var ops = s.series.map(function (p) { return p.hits + p.misses + p.writes + p.deletes; });
    var last = s.series[s.series.length - 1];
    var lastReads = last ? last.hits + last.misses : 0;
    chart('hit-ratio', ratios, 1, 'hit ratio ' + (t.hitRatio * 100).toFixed(1) + '% overall' +
      (lastReads ? ', ' + (last.hits / lastReads * 100).toFixed(0) + '% last second' : ''));
    chart('ops', ops, Math.max.apply(null, ops.concat([1])), (ops[ops.length - 1] || 0) + ' ops/s');
    $('l1-summary').textContent = s.l1.enabled ? s.l1.items + ' items, ' + s.l1.bytes + ' bytes' : 'L1 is off';
    fill('l1', s.l1.entries.map(function (e) {
      return [e.key, e.size + ' B', secs(e.ttlMs)].concat(e.value === undefined ? [] : [e.value]);
    }), 'no L1 items', 4);
    fill('locks', s.locks.map(function (l) {
      return [l.key, l.owner, l.fence, secs(l.ttlMs) + (l.autoExtend ? ' (auto)' : '')];
    }), 'no locks held here', 4);
    fill('ratelimits', s.rateLimits.map(function (r) { return [r.rule, r.blocked]; }), 'nothing blocked', 2);
    fill('sessions', s.sessions.map(function (u) {
      return [u.user, u.sessions === null ? 'unknown' : u.sessions];
    }), 'no session activity seen', 2);
  }

  $('pause').addEventListener('click', function () {
    paused = !paused;
    held = 0;
    renderEvents();
  });
  $('filter-type').addEventListener('change', renderEvents);
  $('filter-prefix').addEventListener('input', renderEvents);

  var source = new EventSource(base + '/events');
  source.addEventListener('hello', function (m) {
    var hello = JSON.parse(m.data);
    $('name').textContent = hello.name;
    $('stream').textContent = 'live';
  });
  source.addEventListener('events', function (m) {
    var batch = JSON.parse(m.data);
    events = events.concat(batch).slice(-MAX_ROWS);
    if (!paused) return scheduleRender();
    held += batch.length;
    $('pause').textContent = 'Resume (' + held + ' new)';
  });
  source.addEventListener('state', function (m) { renderState(JSON.parse(m.data)); });
  source.addEventListener('dropped', function (m) {
    $('dropped').textContent = JSON.parse(m.data).total + ' events dropped (this page fell behind)';
  });
  source.onerror = function () { $('stream').textContent = 'reconnecting'; };
  renderEvents();
})();
`;
