import { randomBytes } from 'node:crypto';
import { CACHE_EVENT_NAMES } from '../cache/cache-events';
import { CONSOLE_SCRIPT } from './console-page.script';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2430; }
header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #1d2430; color: #fff; }
header h1 { font-size: 15px; margin: 0 12px 0 0; }
.badge { padding: 2px 8px; border-radius: 9px; background: #56607a; }
.badge.ready, .badge.memory { background: #2e7d4f; } .badge.down { background: #b3261e; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; padding: 12px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 10px 12px; overflow: auto; }
section.wide { grid-column: 1 / -1; max-height: 420px; }
h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #56607a; }
table { border-collapse: collapse; width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
td, th { border-top: 1px solid #eef0f4; padding: 2px 6px; white-space: nowrap; text-align: left; }
th { color: #8a93a6; font-weight: 500; }
td.empty { color: #8a93a6; font-family: system-ui, sans-serif; }
svg { width: 100%; height: 80px; background: #fbfcfd; border: 1px solid #eef0f4; }
polyline { fill: none; stroke: #2f6fde; stroke-width: 1.5; } svg text { font-size: 10px; fill: #56607a; }
.controls { display: flex; gap: 8px; margin-bottom: 8px; } #dropped { color: #b3261e; }
`;

const chart = (id: string) =>
  `<svg id="${id}" viewBox="0 0 300 80" preserveAspectRatio="none"><polyline points=""/><text x="4" y="12"></text></svg>`;

const table = (id: string, columns: string[]) =>
  `<table><thead><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody id="${id}"></tbody></table>`;

/** The event types the page filters on: each cache event, and the lock, rate-limit and session families. */
const TYPES = [...CACHE_EVENT_NAMES, 'lock', 'ratelimit', 'session'];

/**
 * The console page: one HTML document with its style and script inline under a fresh CSP nonce,
 * so the strict policy (`default-src 'none'`) allows them and nothing else. Returns the page and
 * its Content-Security-Policy header.
 */
export function consolePage(basePath: string): { html: string; csp: string } {
  const nonce = randomBytes(16).toString('base64');
  const options = TYPES.map((t) => `<option value="${t}">${t}</option>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Larder console</title>
<meta name="referrer" content="no-referrer"><style nonce="${nonce}">${STYLE}</style></head>
<body data-base="${escapeHtml(basePath)}">
<header><h1>Larder <span id="name"></span></h1><span id="stream" class="badge">connecting</span>
<span>Redis <span id="conn" class="badge">…</span></span><span id="breaker"></span>
<span id="buffer"></span><span id="dropped"></span></header>
<main>
<section><h2>Hit ratio</h2>${chart('hit-ratio')}<div id="totals"></div></section>
<section><h2>Operations per second</h2>${chart('ops')}</section>
<section class="wide"><h2>Events</h2><div class="controls">
<select id="filter-type"><option value="">all types</option>${options}</select>
<input id="filter-prefix" placeholder="key prefix"><button id="pause" type="button">Pause</button></div>
${table('events', ['time', 'type', 'key', 'scope', 'tier', 'duration', 'detail'])}</section>
<section><h2>L1 items</h2><div id="l1-summary"></div>${table('l1', ['key', 'size', 'time left', 'value'])}</section>
<section><h2>Locks held</h2>${table('locks', ['key', 'owner', 'fence', 'time left'])}</section>
<section><h2>Rate-limit blocks</h2>${table('ratelimits', ['rule', 'blocked'])}</section>
<section><h2>Sessions per user</h2>${table('sessions', ['user', 'sessions'])}</section>
</main>
<script nonce="${nonce}">${CONSOLE_SCRIPT}</script>
</body></html>`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
