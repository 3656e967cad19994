// Shared bench helpers: percentiles, machine description, child environment without NODE_EXTRA_CA_CERTS.
import { cpus, totalmem } from 'node:os';

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0], max: s[s.length - 1] };
}

export function fmt(st) {
  return `median ${st.median.toFixed(2)} ms, p90 ${st.p90.toFixed(2)} ms, p99 ${st.p99.toFixed(2)} ms (n=${st.n})`;
}

export function machine() {
  return `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

export function childEnv() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}
