// Shared bench helpers: percentiles, machine description, child environment without
// NODE_EXTRA_CA_CERTS, /proc readers for a supervisor's CPU and memory, a minimal XML-RPC client
// over a unix socket, and the parser for the fixtures' own timestamps.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, release, totalmem } from 'node:os';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.timeOrigin + performance.now();

/** Nearest-rank percentiles (p99 of fewer than 100 samples is the max, and says so via n). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, median: NaN, p90: NaN, p99: NaN, min: NaN, max: NaN, mean: NaN };
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, median: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0], max: s[s.length - 1], mean };
}

export function fmt(st, unit = 'ms') {
  const f = (x) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 2) : '–');
  return `median ${f(st.median)} ${unit}, p90 ${f(st.p90)} ${unit}, p99 ${f(st.p99)} ${unit} (n=${st.n})`;
}

export function machine() {
  return `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 }).trim();
  } catch {
    return undefined;
  }
}

/** Everything RESULTS.md states about the machine and the peers' versions. */
export function machineInfo(pm2Version) {
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  let mhz = '';
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) mhz = ` @ ${Math.round(Number(m[1]))} MHz`;
  } catch {}
  return {
    date: new Date().toISOString(),
    cpu: `${cpuModel}${mhz}`,
    cores: cpus().length,
    ramGiB: +(totalmem() / 2 ** 30).toFixed(1),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    supervisord: tryRun('/usr/bin/supervisord', ['--version']) ?? 'not found',
    python: tryRun('/usr/bin/python3', ['--version'])?.replace('Python ', '') ?? '?',
    bash: tryRun('/bin/bash', ['-c', 'echo $BASH_VERSION']) ?? '?',
    pm2: pm2Version ?? 'not installed',
  };
}

/** The environment every child starts from: no NODE_EXTRA_CA_CERTS, no NODE_OPTIONS. */
export function childEnv() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

// ---- /proc --------------------------------------------------------------------------------------

let clkTck;
/** Kernel clock ticks per second (utime/stime unit), normally 100. */
export function clockTicks() {
  clkTck ??= Number(tryRun('getconf', ['CLK_TCK']) ?? 100) || 100;
  return clkTck;
}

function cpuTotals() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

/** Share (0…1) of all CPUs busy over the next `ms` milliseconds, machine-wide. */
export async function machineBusy(ms = 300) {
  const a = cpuTotals();
  await sleep(ms);
  const b = cpuTotals();
  const dt = b.total - a.total;
  return dt > 0 ? 1 - (b.idle - a.idle) / dt : 0;
}

/** utime+stime of one process in ms (10 ms resolution), or undefined once it is gone. */
export function cpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM of one process in bytes. */
export function memory(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** True once the pid is gone or a zombie (dead, not yet reaped by its parent). */
export function isDead(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const st = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    return st === 'Z' || st === 'X';
  } catch {
    return true;
  }
}

/** Direct children of a pid (from /proc/<pid>/task/*\/children). */
export function childrenOf(pid) {
  const out = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.push(...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
      } catch {}
    }
  } catch {}
  return out;
}

/** All descendants of a pid. */
export function descendantsOf(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const kids = childrenOf(queue.shift());
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}

/** Resolves with the time (now()) at which pid is seen dead, polling every `everyMs`. */
export function watchDeath(pid, everyMs = 1) {
  let timer;
  const p = new Promise((resolve) => {
    const check = () => {
      if (isDead(pid)) {
        clearInterval(timer);
        resolve(now());
      }
    };
    timer = setInterval(check, everyMs);
    check();
  });
  p.cancel = () => clearInterval(timer);
  return p;
}

export async function waitFor(fn, { timeout = 30000, every = 20, what = 'condition' } = {}) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

export function killQuietly(pid, sig = 'SIGKILL') {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

// ---- fixture timestamps -------------------------------------------------------------------------

/**
 * Fixture lines "S <t>" (first line of an instance) and "E <t>" (just before it exits), t in epoch
 * ms (blip.mjs) or epoch µs (crash.sh, from bash's $EPOCHREALTIME without its dot). Returns the
 * restart latencies: each S minus the E before it, in ms.
 */
export function restartLatencies(text) {
  const lat = [];
  let lastEnd;
  for (const m of text.matchAll(/^(S|E) (\d+(?:\.\d+)?)\s*$/gm)) {
    let t = Number(m[2]);
    if (t > 1e14) t /= 1000; // µs → ms
    if (m[1] === 'S' && lastEnd !== undefined) {
      lat.push(t - lastEnd);
      lastEnd = undefined;
    }
    if (m[1] === 'E') lastEnd = t;
  }
  return lat;
}

// ---- XML-RPC over a unix socket (client side, just enough for supervisor.*) ---------------------

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeValue(v) {
  if (typeof v === 'boolean') return `<boolean>${v ? 1 : 0}</boolean>`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<int>${v}</int>` : `<double>${v}</double>`;
  if (Array.isArray(v)) return `<array><data>${v.map((x) => `<value>${encodeValue(x)}</value>`).join('')}</data></array>`;
  return `<string>${esc(v)}</string>`;
}

export function encodeCall(method, params = []) {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${encodeValue(p)}</value></param>`)
    .join('')}</params></methodCall>`;
}

const unesc = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Decodes a methodResponse; throws { faultCode, faultString } for a fault. */
export function decodeResponse(xml) {
  const toks = [];
  const re = /<(\/?)([A-Za-z0-9_.]+)[^>]*?(\/?)>|([^<]+)/g;
  xml = xml.replace(/<\?[^>]*\?>/g, '');
  let m;
  while ((m = re.exec(xml))) {
    if (m[4] !== undefined) toks.push({ text: m[4] });
    else toks.push({ tag: m[2], close: m[1] === '/', empty: m[3] === '/' });
  }
  let i = 0;
  const skipWs = () => {
    while (i < toks.length && toks[i].text !== undefined && !toks[i].text.trim()) i++;
  };
  const expectOpen = (tag) => {
    skipWs();
    const t = toks[i++];
    if (!t || t.tag !== tag || t.close) throw new Error(`xmlrpc: expected <${tag}>, got ${JSON.stringify(t)}`);
    return t;
  };
  const expectClose = (tag) => {
    skipWs();
    const t = toks[i++];
    if (!t || t.tag !== tag || !t.close) throw new Error(`xmlrpc: expected </${tag}>, got ${JSON.stringify(t)}`);
  };
  const textUntilClose = (tag) => {
    let s = '';
    while (toks[i] && toks[i].text !== undefined) s += toks[i++].text;
    expectClose(tag);
    return unesc(s);
  };
  const value = () => {
    const open = expectOpen('value');
    if (open.empty) return '';
    // <value>text</value> is a string
    if (toks[i]?.text !== undefined && toks[i + 1]?.tag === 'value' && toks[i + 1].close) {
      const s = unesc(toks[i++].text);
      expectClose('value');
      return s;
    }
    skipWs();
    const t = toks[i];
    if (t.tag === 'value' && t.close) {
      i++;
      return '';
    }
    i++;
    let v;
    switch (t.tag) {
      case 'string':
        v = t.empty ? '' : textUntilClose('string');
        break;
      case 'int':
      case 'i4':
      case 'i8':
        v = Number(textUntilClose(t.tag));
        break;
      case 'double':
        v = Number(textUntilClose('double'));
        break;
      case 'boolean':
        v = textUntilClose('boolean').trim() === '1';
        break;
      case 'nil':
        v = null;
        if (!t.empty) expectClose('nil');
        break;
      case 'array': {
        expectOpen('data');
        v = [];
        for (;;) {
          skipWs();
          if (toks[i].tag === 'data' && toks[i].close) break;
          v.push(value());
        }
        expectClose('data');
        expectClose('array');
        break;
      }
      case 'struct': {
        v = {};
        for (;;) {
          skipWs();
          if (toks[i].tag === 'struct' && toks[i].close) break;
          expectOpen('member');
          expectOpen('name');
          const k = textUntilClose('name');
          v[k] = value();
          expectClose('member');
        }
        expectClose('struct');
        break;
      }
      default:
        v = textUntilClose(t.tag);
    }
    expectClose('value');
    return v;
  };
  expectOpen('methodResponse');
  skipWs();
  if (toks[i]?.tag === 'fault') {
    i++;
    const f = value();
    const err = new Error(`xmlrpc fault ${f.faultCode}: ${f.faultString}`);
    err.faultCode = f.faultCode;
    err.faultString = f.faultString;
    throw err;
  }
  expectOpen('params');
  expectOpen('param');
  return value();
}

/**
 * One XML-RPC call over HTTP on a unix socket, a new connection per call (as supervisorctl's
 * transport does per command). Resolves { value, bytes } — bytes is the response body size.
 */
export function rpc(socketPath, method, params = [], { decode = true } = {}) {
  const body = encodeCall(method, params);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: '/RPC2',
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), Host: 'localhost' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} from ${method}: ${buf.toString().slice(0, 200)}`));
          try {
            resolve({ value: decode ? decodeResponse(buf.toString('utf8')) : undefined, bytes: buf.length, raw: buf });
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(120000, () => req.destroy(new Error(`${method} timed out`)));
    req.end(body);
  });
}

export const exists = existsSync;

/**
 * Ends a supervisor the bench started: `ask` requests a clean shutdown, SIGKILL after 30 s; then
 * whatever it had started that is still alive.
 */
export async function endSupervisor(child, exited, ask) {
  const family = descendantsOf(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    ask();
    if ((await Promise.race([exited, sleep(30000).then(() => 'timeout')])) === 'timeout') {
      killQuietly(child.pid, 'SIGKILL');
      await exited;
    }
  }
  for (const pid of family) if (!isDead(pid)) killQuietly(pid, 'SIGKILL');
}

/**
 * SIGKILLs every process whose environment mentions `marker` (a peer's temporary directory: its
 * programs inherit it through SUPERVISOR_SERVER_URL, PM2_HOME or PWD), until none is left. The
 * family listed before a shutdown misses children spawned after the listing — a supervisor still
 * starting thousands of programs when its time limit ran out — and once the supervisor is gone
 * they belong to init. Returns how many were killed.
 */
export function killByEnvMarker(marker) {
  if (!marker) return 0;
  const needle = Buffer.from(marker);
  let killed = 0;
  for (let round = 0; round < 5; round++) {
    let found = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        if (!readFileSync(`/proc/${name}/environ`).includes(needle)) continue;
      } catch {
        continue;
      }
      if (!isDead(Number(name)) && killQuietly(Number(name), 'SIGKILL')) found++;
    }
    killed += found;
    if (found === 0) break;
  }
  return killed;
}

/** Synchronous last-resort cleanup (process exit): a supervisor and what it started. */
export function killFamilyNow(pid) {
  const family = descendantsOf(pid);
  killQuietly(pid, 'SIGKILL');
  for (const p of family) killQuietly(p, 'SIGKILL');
}
