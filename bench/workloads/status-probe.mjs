// The XML-RPC status client, run as a fresh process for each series of calls: every peer's
// getAllProcessInfo (and the canned floor's) is then timed by the same clean client. Timed inside
// the runner, the client carried what earlier workloads left in its heap: after PM2's start of
// 5,000 programs (its API runs in the runner) the heap held ~60 MB, and a 5 MB response from the
// canned floor took 16 ms to receive instead of 9 before, and 6 in a fresh process.
// Usage: node status-probe.mjs <socket> <warm-up calls> <calls>; prints one JSON line
// { ms: [per call], bytes, count }.
import { now, rpc } from '../lib.mjs';

/** getAllProcessInfo as bytes: the response is received whole, its entries counted, not decoded. */
async function rawStatus(sock) {
  const t0 = now();
  const r = await rpc(sock, 'supervisor.getAllProcessInfo', [], { decode: false });
  const ms = now() - t0; // the server's work and the transport; the checks below are the probe's own
  const text = r.raw.toString('latin1');
  if (!text.includes('<methodResponse>') || text.includes('<fault>')) throw new Error(`bad getAllProcessInfo response: ${text.slice(0, 200)}`);
  return { ms, bytes: r.bytes, count: text.split('<name>statename</name>').length - 1 };
}

const [sock, warm, calls] = process.argv.slice(2);
for (let i = 0; i < Number(warm); i++) await rawStatus(sock);
const ms = [];
let last = { bytes: 0, count: 0 };
for (let i = 0; i < Number(calls); i++) {
  last = await rawStatus(sock);
  ms.push(last.ms);
}
process.stdout.write(`${JSON.stringify({ ms, bytes: last.bytes, count: last.count })}\n`);
