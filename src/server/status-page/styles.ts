// The status page's stylesheet, served as /static/status-page/style.css. A TypeScript string so
// that `npm run build` (tsc, which copies no other files) ships it in dist/.
//
// Contrast (WCAG 2.1 AA, checked with the relative-luminance formula): every state badge has white
// text on a background of at least 5:1 (RUNNING #1a7f37 5.1, STARTING #8a5a00 5.9, BACKOFF #b35000
// 5.2, STOPPING #7a3ec8 6.3, STOPPED #57606a 6.4, EXITED #0550ae 7.6, FATAL #c0212c 6.0, UNKNOWN
// #24292f 14.7); body text is 15.8:1 (light) and 16:1 (dark); muted text 6.1:1 / 6.5:1; borders of
// controls and the focus ring at least 3:1 against their background.
export const STATUS_PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --control-border: #57606a; --focus: #0969da; --error: #c0212c; --ok: #1a7f37; --row-hover: #f6f8fa;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
    --control-border: #9198a1; --focus: #58a6ff; --error: #ff7b72; --ok: #3fb950; --row-hover: #161b22;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
body.log-open { padding-bottom: 42vh; }
header, .toolbar, #messages, main, noscript p { padding-left: 16px; padding-right: 16px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding-top: 12px; }
h1 { font-size: 20px; margin: 0; }
h1 .ident { color: var(--muted); font-weight: normal; }
.summary { margin: 0; color: var(--muted); }
.summary strong { color: var(--fg); }
#live[data-live="down"] { color: var(--error); font-weight: 600; }
.notice { margin: 8px 0; padding: 8px 12px; background: var(--panel); border-left: 4px solid var(--focus); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 12px 0 8px; }
.toolbar label { font-weight: 600; }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--control-border); border-radius: 4px; }
input, select { padding: 3px 6px; }
input[type="search"] { width: 18em; }
button { padding: 1px 8px; background: var(--panel); cursor: pointer; }
button:hover { background: var(--line); }
button[aria-disabled="true"] { cursor: progress; opacity: 0.75; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
#shown { color: var(--muted); }
#messages { min-height: 1.5em; margin: 0 0 8px; }
#messages p { margin: 2px 0; }
#messages .error { color: var(--error); font-weight: 600; }
#messages .ok { color: var(--ok); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--bg); border-bottom: 2px solid var(--control-border); z-index: 1; }
tbody tr:hover { background: var(--row-hover); }
tbody th { font-weight: 600; }
.group-row th { background: var(--panel); font-weight: 600; }
.group-row td { background: var(--panel); }
.group-row .count { color: var(--muted); font-weight: normal; }
.c-pid, .c-restarts { font-variant-numeric: tabular-nums; }
.c-detail { min-width: 7em; }
.c-spawnerr { color: var(--error); }
.state { display: inline-block; min-width: 6.5em; padding: 0 6px; border-radius: 3px; color: #ffffff; font-weight: 600;
  font-size: 12px; letter-spacing: 0.02em; text-align: center; border: 1px solid transparent; }
.s-running { background: #1a7f37; }
.s-starting { background: #8a5a00; }
.s-backoff { background: #b35000; }
.s-stopping { background: #7a3ec8; }
.s-stopped { background: #57606a; }
.s-exited { background: #0550ae; }
.s-fatal { background: #c0212c; }
.s-unknown { background: #24292f; border-color: var(--control-border); }
.no-js .js-only, .js .no-js-only { display: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#log-panel { position: fixed; left: 0; right: 0; bottom: 0; height: 40vh; display: flex; flex-direction: column;
  background: var(--panel); border-top: 2px solid var(--control-border); z-index: 2; }
#log-panel[hidden] { display: none; }
#log-panel .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; padding: 6px 16px; }
#log-panel h2 { font-size: 16px; margin: 0; }
#log-status { color: var(--muted); }
#log-output { flex: 1; margin: 0; padding: 6px 16px; overflow: auto; background: var(--bg); color: var(--fg);
  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; }
#empty { color: var(--muted); }
button:disabled { cursor: not-allowed; opacity: 0.45; }
button:disabled:hover { background: var(--panel); }
a.button { display: inline-block; padding: 1px 8px; border: 1px solid var(--control-border); border-radius: 4px; background: var(--panel);
  color: var(--fg); text-decoration: none; }
a.button:hover { background: var(--line); }
.controls { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 16px; margin: 0 0 8px; }
#new-program { margin-left: auto; }
#messages p { display: flex; align-items: baseline; gap: 6px; }
#messages time { color: var(--muted); font-weight: normal; font-variant-numeric: tabular-nums; }
#messages .dismiss { padding: 0 6px; line-height: 1.2; }
.toggle { padding: 0 4px; margin-right: 6px; min-width: 1.8em; }
tbody.collapsed tr[data-ns] { display: none; }
.c-cpu, .c-mem { white-space: nowrap; font-variant-numeric: tabular-nums; }
.c-cpu .num, .c-mem .num { display: inline-block; min-width: 4.2em; text-align: right; margin-right: 4px; }
.spark { vertical-align: middle; overflow: visible; }
.spark polyline { fill: none; stroke: var(--focus); stroke-width: 1.5; }
.spark .base { stroke: var(--line); stroke-width: 1; }
.c-spawnerr { width: 22em; overflow-wrap: anywhere; }
.c-actions { min-width: 14em; }
.c-actions button { margin: 1px 0; }
.c-actions button + button { margin-left: 2px; }
#log-output time.ts { color: var(--muted); }
dialog { border: 1px solid var(--control-border); border-radius: 6px; background: var(--bg); color: var(--fg); padding: 16px;
  max-width: min(34em, calc(100vw - 24px)); width: 100%; }
dialog::backdrop { background: rgb(0 0 0 / 0.4); }
dialog h2 { font-size: 18px; margin: 0 0 8px; }
dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 12px; }
dialog .buttons button { padding: 4px 14px; }
dialog .danger { background: var(--error); color: #ffffff; border-color: var(--error); }
dialog .error { color: var(--error); font-weight: 600; min-height: 1.2em; margin: 8px 0 0; }
.field { display: flex; flex-direction: column; gap: 2px; margin: 6px 0; min-width: 0; }
.field label { font-weight: 600; }
.field small { color: var(--muted); }
.field input, .field textarea, .field select { width: 100%; font: inherit; padding: 3px 6px; }
.field textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; resize: vertical; }
.field.check { flex-direction: row; align-items: center; gap: 6px; align-self: end; }
.field.check input { width: auto; }
dialog .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(7.5em, 1fr)); gap: 0 10px; }
#fleet { padding: 0 16px; margin: 16px 0; }
#fleet[hidden] { display: none; }
#fleet h2 { font-size: 18px; margin: 0 0 4px; }
.fleet-summary { margin: 0 0 8px; color: var(--muted); }
.fleet-summary[data-error="true"] { color: var(--error); font-weight: 600; }
.fleet-node { margin: 0 0 12px; }
.fleet-node h3 { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; font-size: 15px; margin: 0 0 4px; }
.fleet-node .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: var(--error); }
.fleet-node .dot[data-alive="true"] { background: var(--ok); }
.fleet-node .node-alive, .fleet-node .node-self, .fleet-node .muted { color: var(--muted); font-weight: normal; }
.fleet-node .label { font-weight: normal; font-size: 12px; padding: 0 6px; border: 1px solid var(--line); border-radius: 10px; background: var(--panel); }
.fleet-node p { margin: 0; }
.fleet-node table { table-layout: fixed; }
.fleet-node thead th { position: static; }

/* Narrow screens (phones): each process is a card; labels come from the cells' own classes. */
@media (max-width: 719px) {
  header, .toolbar, #messages, main, .controls { padding-left: 10px; padding-right: 10px; }
  input[type="search"] { width: 100%; flex: 1 1 100%; }
  .toolbar label[for="filter"] { display: none; }
  #new-program { margin-left: 0; }
  #processes thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  #processes, #processes tbody, #processes caption { display: block; }
  #processes tr[data-ns] { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; padding: 8px 0; border-bottom: 1px solid var(--line); }
  #processes tr[data-ns][hidden], tbody.collapsed tr[data-ns] { display: none; }
  #processes tr[data-ns] > th, #processes tr[data-ns] > td { display: block; padding: 0; border: 0; }
  #processes .c-name { font-size: 15px; flex: 1 1 auto; order: 0; }
  #processes .c-state { order: 1; }
  #processes tr[data-ns] > .c-group { display: none; }
  #processes .c-pid { order: 2; flex-basis: auto; }
  #processes .c-pid:not(:empty)::before { content: "pid "; color: var(--muted); }
  #processes .c-detail { order: 3; }
  #processes .c-cpu { order: 4; }
  #processes .c-mem { order: 5; }
  #processes .c-cpu .num, #processes .c-mem .num { min-width: 0; }
  #processes .c-cpu:has(.num:empty), #processes .c-mem:has(.num:empty) { display: none; }
  #processes .c-cpu::before { content: "CPU "; color: var(--muted); }
  #processes .c-mem::before { content: "mem "; color: var(--muted); }
  #processes .c-restarts { order: 6; }
  #processes .c-restarts:not(:empty)::before { content: "restarts "; color: var(--muted); }
  #processes .c-spawnerr { order: 7; flex-basis: 100%; width: auto; }
  #processes .c-spawnerr:empty { display: none; }
  #processes .c-actions { order: 8; flex-basis: 100%; min-width: 0; display: flex; flex-wrap: wrap; gap: 6px; }
  #processes .c-actions button { margin: 0; padding: 4px 10px; }
  #processes .group-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 8px 0; background: var(--panel); }
  #processes .group-row > th, #processes .group-row > td { display: block; border: 0; padding: 0 6px; background: transparent; }
  #processes .group-row .c-actions { display: flex; flex-wrap: wrap; gap: 6px; }
  #processes .group-row .c-actions button { margin: 0; padding: 4px 10px; }
  .state { min-width: 0; }
}
`;
