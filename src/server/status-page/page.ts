// The status page's HTML document, rendered on the server: complete and readable without
// JavaScript (a read-only table, filterable through a GET form); the client then takes over the
// same markup and keeps it live.
import { createHash } from 'node:crypto';
import { PROCESS_STATES, type SupervisorState } from '../../supervisor/states.js';
import { COLUMNS, escapeHtml, JS_COLUMNS, matchesFilter, type RowStatus, summaryText, tableBodiesHtml } from './view.js';

export interface PageModel {
  /** supervisord's `identifier` (shown in the title). */
  identifier: string;
  supervisor: SupervisorState;
  processes: readonly RowStatus[];
  /** The filter from the query string (`?q=…&state=…`), applied on the server for the no-JS page. */
  filter: { text: string; state: string };
  /** When the snapshot was taken (shown to no-JS readers). */
  renderedAt: Date;
  /** The outcome of a supervisord-style action link (`?message=…` after its redirect). */
  message?: string;
}

/**
 * Runs before the first paint, so nothing meant for one mode flashes in the other: the page is
 * marked `js`, which hides `.no-js-only` and shows `.js-only`. (A `<noscript>` would do for real
 * no-JS browsers, but not for engines that disable scripting after parsing, such as headless
 * emulation.) Allowed by its hash in the Content-Security-Policy.
 */
export const MARK_SCRIPTING = "document.documentElement.className='js'";
export const MARK_SCRIPTING_HASH = `'sha256-${createHash('sha256').update(MARK_SCRIPTING).digest('base64')}'`;

/** Where the page's assets live (see status-page.ts). */
export const ASSET_PREFIX = '/static/status-page/';

function countByState(processes: readonly RowStatus[]): Map<string, number> {
  const counts = new Map<string, number>(PROCESS_STATES.map((s) => [s, 0]));
  for (const p of processes) counts.set(p.statename, (counts.get(p.statename) ?? 0) + 1);
  return counts;
}

function stateOptions(selected: string): string {
  const option = (value: string, label: string) => `<option value="${value}"${value === selected ? ' selected' : ''}>${label}</option>`;
  return option('', 'All states') + PROCESS_STATES.map((s) => option(s, s)).join('');
}

function toolbarHtml(filter: PageModel['filter'], shown: number, total: number): string {
  return `<form class="toolbar" id="filter-form" role="search" method="get" action="/">
<label for="filter">Filter</label>
<input id="filter" name="q" type="search" placeholder="Name, group or state" value="${escapeHtml(filter.text)}" autocomplete="off" spellcheck="false" aria-describedby="filter-help">
<span id="filter-help" class="visually-hidden">Matches process name, group or state</span>
<label for="state-filter">State</label>
<select id="state-filter" name="state">${stateOptions(filter.state)}</select>
<button type="submit" class="no-js-only">Apply filter</button>
<span id="shown" aria-live="polite">${shown === total ? '' : `Showing ${shown} of ${total}`}</span>
</form>`;
}

const LOG_PANEL = `<section id="log-panel" class="js-only" aria-labelledby="log-title" hidden>
<div class="bar">
<h2 id="log-title" tabindex="-1">Log of <span id="log-ns"></span></h2>
<label for="log-stream">Stream</label>
<select id="log-stream"><option value="stdout">stdout</option><option value="stderr">stderr</option></select>
<button type="button" id="log-pause">Pause</button>
<a id="log-download" class="button" href="#" download>Download log</a>
<button type="button" id="log-close">Close log</button>
<span id="log-status" role="status"></span>
</div>
<pre id="log-output" tabindex="0" aria-label="Log output" aria-describedby="log-title"></pre>
</section>`;

/** Start all / Stop all / Restart all (as supervisord's own page has) and New program. */
const CONTROLS = `<div class="controls js-only" role="group" aria-label="All processes">
<button type="button" data-all="start">Start all</button>
<button type="button" data-all="stop">Stop all</button>
<button type="button" data-all="restart">Restart all</button>
<button type="button" id="new-program">New program</button>
</div>`;

/** Asks before stopping or restarting more than one process. */
const CONFIRM_DIALOG = `<dialog id="confirm" aria-labelledby="confirm-text">
<form method="dialog">
<p id="confirm-text"></p>
<div class="buttons"><button value="cancel" id="confirm-cancel">Cancel</button> <button value="ok" id="confirm-ok" class="danger"></button></div>
</form>
</dialog>`;

const field = (id: string, label: string, input: string, help = '') =>
  `<div class="field"><label for="${id}">${label}</label>${input}${help ? `<small id="${id}-help">${help}</small>` : ''}</div>`;

/** Create or edit a program through the JSON API (POST /api/programs, PUT /api/programs/:name). */
const PROGRAM_DIALOG = `<dialog id="program-dialog" aria-labelledby="program-title">
<form id="program-form" method="dialog" novalidate>
<h2 id="program-title">New program</h2>
${field('pf-name', 'Name', '<input id="pf-name" name="name" required autocomplete="off" spellcheck="false">')}
${field('pf-command', 'Command', '<input id="pf-command" name="command" required autocomplete="off" spellcheck="false">', 'Split like supervisord splits it; quote arguments with spaces.')}
${field('pf-directory', 'Directory', '<input id="pf-directory" name="directory" autocomplete="off" spellcheck="false">')}
${field('pf-environment', 'Environment', '<textarea id="pf-environment" name="environment" rows="3" spellcheck="false" aria-describedby="pf-environment-help"></textarea>', 'One KEY=value per line.')}
<div class="row">
${field('pf-numprocs', 'Processes', '<input id="pf-numprocs" name="numprocs" type="number" min="1" max="1000" inputmode="numeric">')}
${field('pf-startsecs', 'Start seconds', '<input id="pf-startsecs" name="startsecs" type="number" min="0" step="any" inputmode="decimal">')}
${field('pf-startretries', 'Start retries', '<input id="pf-startretries" name="startretries" type="number" min="0" inputmode="numeric">')}
${field('pf-stopwaitsecs', 'Stop wait seconds', '<input id="pf-stopwaitsecs" name="stopwaitsecs" type="number" min="0" step="any" inputmode="decimal">')}
</div>
<div class="row">
${field('pf-autorestart', 'Restart on exit', '<select id="pf-autorestart" name="autorestart"><option value="">default (unexpected)</option><option value="unexpected">unexpected</option><option value="true">always</option><option value="false">never</option></select>')}
<div class="field check"><input id="pf-autostart" name="autostart" type="checkbox" checked><label for="pf-autostart">Start automatically</label></div>
</div>
${field('pf-process-name', 'Process name', '<input id="pf-process-name" name="process_name" autocomplete="off" spellcheck="false">', 'Needed with more than one process, e.g. %(program_name)s_%(process_num)02d.')}
<p id="program-error" class="error" role="alert"></p>
<div class="buttons"><button type="button" id="program-cancel">Cancel</button> <button type="submit" id="program-save">Create</button></div>
</form>
</dialog>`;

/** Filled and shown by the client only while the daemon is part of a fleet (GET /api/fleet is 200). */
const FLEET_SECTION = `<section id="fleet" class="js-only" aria-labelledby="fleet-title" hidden>
<h2 id="fleet-title">Fleet</h2>
<p class="fleet-summary" role="status"></p>
<div class="fleet-nodes"></div>
</section>`;

/** The whole document. */
export function renderPage(model: PageModel): string {
  const shown = model.processes.filter((p) => matchesFilter(p, model.filter.text, model.filter.state));
  const id = escapeHtml(model.identifier);
  const time = model.renderedAt.toTimeString().slice(0, 8);
  const head = COLUMNS.map((c) => `<th scope="col" class="h-${c.toLowerCase().replace(/[^a-z]+/g, '-')}${JS_COLUMNS.has(c) ? ' js-only' : ''}">${c}</th>`).join(
    '',
  );
  return `<!doctype html>
<html lang="en" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>procvisor status: ${id}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}style.css">
<script>${MARK_SCRIPTING}</script>
<script type="module" src="${ASSET_PREFIX}client.js"></script>
</head>
<body>
<header>
<h1>procvisor <span class="ident">${id}</span></h1>
<p class="summary">Supervisor <strong id="supervisor-state">${escapeHtml(model.supervisor)}</strong> · <span id="counts">${escapeHtml(summaryText(countByState(model.processes)))}</span><span class="js-only"> · <span id="live" data-live="connecting">Connecting to live updates…</span></span></p>
</header>
${model.message ? `<p class="notice" role="status">${escapeHtml(model.message)}</p>\n` : ''}<p class="notice no-js-only">JavaScript is off: this is a read-only snapshot taken at ${time}. Reload the page to refresh it.</p>
${toolbarHtml(model.filter, shown.length, model.processes.length)}
${CONTROLS}
<div id="messages" class="js-only" role="log" aria-live="polite" aria-label="Results of actions"></div>
<main>
<table id="processes">
<caption>Processes</caption>
<thead><tr>${head}</tr></thead>
${tableBodiesHtml(shown, false)}
</table>
<p id="empty"${shown.length ? ' hidden' : ''}>${model.processes.length ? 'No process matches the filter.' : 'No processes are configured.'}</p>
</main>
${FLEET_SECTION}
${LOG_PANEL}
${CONFIRM_DIALOG}
${PROGRAM_DIALOG}
</body>
</html>
`;
}
