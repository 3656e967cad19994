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
.c-detail { white-space: nowrap; }
.c-spawnerr { color: var(--error); }
.c-actions { white-space: nowrap; }
.c-actions button + button { margin-left: 4px; }
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
`;
