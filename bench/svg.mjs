// Hand-written SVG charts for RESULTS.md: no chart library, just coordinates.

export const COLORS = {
  'bash-loop': '#9ca3af',
  'spawn-loop': '#4b5563',
  floor: '#4b5563',
  procvisor: '#2563eb',
  supervisord: '#d97706',
  pm2: '#059669',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

function svgDoc(w, h, body, title) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">
<title>${esc(title)}</title>
<rect width="${w}" height="${h}" fill="#ffffff"/>
${body}
</svg>
`;
}

function text(x, y, s, { anchor = 'start', size = 12, weight = 'normal', fill = '#111827', extra = '' } = {}) {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" font-size="${size}" font-weight="${weight}" fill="${fill}"${extra}>${esc(s)}</text>`;
}

/** Log-scale mapping from [lo, hi] (values > 0) onto [x0, x1]. */
function logScale(lo, hi, x0, x1) {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const f = (v) => x0 + ((Math.log10(Math.max(lo, Math.min(hi, v))) - a) / (b - a)) * (x1 - x0);
  f.ticks = () => {
    const out = [];
    for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push({ v, major: m === 1 });
      }
    }
    return out;
  };
  return f;
}

const fmtTick = (v) => (v >= 1000 ? `${v / 1000} s` : v >= 1 ? `${v} ms` : `${v} ms`);

function q(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

// Deterministic jitter so the chart is stable between renders of the same data.
function jitter(i) {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

/**
 * Restart-latency distributions: one panel per fixture, one row per peer; every sample as a dot,
 * box p25–p75, median bar, whisker min…p99, diamond at p90. Log x axis.
 * panels: [{ title, rows: [{ id, label, samples }] }]
 */
export function distributionChart(panels, { title, subtitle }) {
  const W = 960;
  const left = 190;
  const right = 250;
  const rowH = 34;
  const all = panels.flatMap((p) => p.rows.flatMap((r) => r.samples)).filter((x) => x > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...all, 1))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 10)));
  const x = logScale(lo, hi, left, W - right);
  let y = 56;
  let body = text(16, 24, title, { size: 16, weight: 'bold' }) + text(16, 42, subtitle, { size: 11, fill: '#4b5563' });
  for (const panel of panels) {
    y += 18;
    body += text(16, y, panel.title, { size: 13, weight: 'bold' });
    y += 10;
    const top = y;
    const h = panel.rows.length * rowH;
    for (const t of x.ticks()) {
      body += `<line x1="${x(t.v).toFixed(1)}" y1="${top}" x2="${x(t.v).toFixed(1)}" y2="${top + h}" stroke="${t.major ? '#d1d5db' : '#f3f4f6'}"/>`;
    }
    panel.rows.forEach((r, i) => {
      const cy = top + i * rowH + rowH / 2;
      const color = COLORS[r.id] ?? '#6b7280';
      body += text(left - 10, cy + 4, r.label, { anchor: 'end' });
      if (!r.samples.length) {
        body += text(left + 6, cy + 4, 'no samples', { fill: '#9ca3af' });
        return;
      }
      const s = [...r.samples].sort((a, b) => a - b);
      r.samples.forEach((v, k) => {
        body += `<circle cx="${x(v).toFixed(1)}" cy="${(cy + jitter(k) * (rowH - 12)).toFixed(1)}" r="2" fill="${color}" fill-opacity="0.28"/>`;
      });
      const [p25, med, p75, p90, p99] = [q(s, 0.25), q(s, 0.5), q(s, 0.75), q(s, 0.9), q(s, 0.99)];
      body += `<line x1="${x(s[0]).toFixed(1)}" y1="${cy}" x2="${x(p99).toFixed(1)}" y2="${cy}" stroke="${color}" stroke-width="1.5"/>`;
      body += `<rect x="${x(p25).toFixed(1)}" y="${cy - 8}" width="${Math.max(1.5, x(p75) - x(p25)).toFixed(1)}" height="16" fill="${color}" fill-opacity="0.18" stroke="${color}" stroke-width="1.5"/>`;
      body += `<line x1="${x(med).toFixed(1)}" y1="${cy - 11}" x2="${x(med).toFixed(1)}" y2="${cy + 11}" stroke="${color}" stroke-width="3"/>`;
      body += `<path d="M${x(p90).toFixed(1)} ${cy - 5} l5 5 l-5 5 l-5 -5 z" fill="#ffffff" stroke="${color}" stroke-width="1.5"/>`;
      body += text(W - right + 10, cy + 4, `${num(med, med < 10 ? 2 : 1)} · ${num(p90, p90 < 10 ? 2 : 1)} · ${num(p99, p99 < 10 ? 2 : 1)} ms (n=${s.length})`, {
        size: 11,
      });
    });
    body += `<line x1="${left}" y1="${top + h}" x2="${W - right}" y2="${top + h}" stroke="#6b7280"/>`;
    for (const t of x.ticks().filter((t) => t.major || x.ticks().length < 12)) {
      body += text(x(t.v), top + h + 14, fmtTick(t.v), { anchor: 'middle', size: 10, fill: '#4b5563' });
    }
    body += text(W - right + 10, top - 2, 'median · p90 · p99', { size: 10, fill: '#6b7280' });
    y = top + h + 24;
  }
  y += 8;
  body += text(16, y, 'dots = every sample; box = p25–p75; thick bar = median; ◇ = p90; whisker = min…p99; log scale', { size: 10, fill: '#6b7280' });
  return svgDoc(W, y + 12, body, title);
}

/**
 * Slowdown versus the floor per workload: groups of horizontal bars, log x axis, 1× line.
 * groups: [{ label, bars: [{ id, label, ratio }] }], goals: [{ ratio, label }]
 */
export function ratioChart(groups, { title, subtitle, goals = [] }) {
  const W = 960;
  const left = 250;
  const right = 90;
  const barH = 14;
  const gap = 12;
  const ratios = groups.flatMap((g) => g.bars.map((b) => b.ratio)).filter((r) => Number.isFinite(r) && r > 0);
  const minR = Math.min(...ratios, 1);
  const lo = minR >= 0.55 ? 0.5 : minR >= 0.22 ? 0.2 : 0.1;
  const hi = Math.max(10, 10 ** Math.ceil(Math.log10(Math.max(...ratios, 1) * 1.05)));
  const x = logScale(lo, hi, left, W - right);
  let y = 64;
  let body = text(16, 24, title, { size: 16, weight: 'bold' }) + text(16, 42, subtitle, { size: 11, fill: '#4b5563' });
  const top = y;
  const heights = groups.map((g) => g.bars.length * (barH + 3) + gap + 14);
  const total = heights.reduce((a, b) => a + b, 0);
  for (const t of x.ticks()) {
    body += `<line x1="${x(t.v).toFixed(1)}" y1="${top}" x2="${x(t.v).toFixed(1)}" y2="${top + total}" stroke="${t.major ? '#d1d5db' : '#f3f4f6'}"/>`;
  }
  for (const g of goals) {
    body += `<line x1="${x(g.ratio).toFixed(1)}" y1="${top - 6}" x2="${x(g.ratio).toFixed(1)}" y2="${top + total}" stroke="#dc2626" stroke-dasharray="4 3"/>`;
    body += text(x(g.ratio) + 4, top - 8, g.label, { size: 10, fill: '#dc2626' });
  }
  groups.forEach((g, gi) => {
    body += text(16, y + 12, g.label, { weight: 'bold', size: 12 });
    y += 16;
    for (const b of g.bars) {
      const color = COLORS[b.id] ?? '#6b7280';
      body += text(left - 8, y + barH - 3, b.label, { anchor: 'end', size: 11 });
      if (Number.isFinite(b.ratio) && b.ratio > 0) {
        const x1 = x(1);
        const x2 = x(b.ratio);
        body += `<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y}" width="${Math.max(1.5, Math.abs(x2 - x1)).toFixed(1)}" height="${barH}" fill="${color}" fill-opacity="0.85"/>`;
        body += text(Math.max(x1, x2) + 5, y + barH - 3, `${b.ratio >= 10 ? b.ratio.toFixed(0) : b.ratio.toFixed(2)}×`, { size: 11 });
      } else body += text(x(1) + 5, y + barH - 3, b.note ?? 'not measured', { size: 11, fill: '#9ca3af' });
      y += barH + 3;
    }
    y += gap - 2;
    if (gi < groups.length - 1) body += `<line x1="16" y1="${y - gap / 2 + 2}" x2="${W - 16}" y2="${y - gap / 2 + 2}" stroke="#f3f4f6"/>`;
  });
  body += `<line x1="${x(1).toFixed(1)}" y1="${top - 6}" x2="${x(1).toFixed(1)}" y2="${top + total}" stroke="#111827" stroke-width="1.5"/>`;
  body += text(x(1) - 4, top - 8, 'floor = 1×', { size: 10, anchor: 'end' });
  body += `<line x1="${left}" y1="${y}" x2="${W - right}" y2="${y}" stroke="#6b7280"/>`;
  for (const t of x.ticks().filter((t) => t.major || [2, 5].includes(t.v) || t.v === 0.5)) {
    body += text(x(t.v), y + 14, `${t.v}×`, { anchor: 'middle', size: 10, fill: '#4b5563' });
  }
  return svgDoc(W, y + 30, body, title);
}

/**
 * Fan-out footprint: supervisor RSS (MB) per peer per N with a goal line, and idle CPU (ms per window).
 * data: { sizes, idleS, peers: [{ id, label }], rss: {N: {id: MB}}, cpu: {N: {id: ms}}, goalMB }
 */
export function fanoutChart(data, { title, subtitle }) {
  const W = 960;
  const panelW = (W - 60) / 2;
  const H = 300;
  let body = text(16, 24, title, { size: 16, weight: 'bold' }) + text(16, 42, subtitle, { size: 11, fill: '#4b5563' });
  const panel = (x0, label, values, unit, goal) => {
    const top = 80;
    const bottom = H - 40;
    const vals = data.sizes.flatMap((n) => data.peers.map((p) => values[n]?.[p.id])).filter(Number.isFinite);
    const max = Math.max(goal ?? 0, ...vals, 1) * 1.15;
    const y = (v) => bottom - (v / max) * (bottom - top);
    let b = text(x0, 66, label, { weight: 'bold', size: 13 });
    for (let k = 0; k <= 4; k++) {
      const v = (max / 4) * k;
      b += `<line x1="${x0 + 40}" y1="${y(v).toFixed(1)}" x2="${x0 + panelW - 10}" y2="${y(v).toFixed(1)}" stroke="#f3f4f6"/>`;
      b += text(x0 + 36, y(v) + 4, v >= 10 ? v.toFixed(0) : v.toFixed(1), { anchor: 'end', size: 10, fill: '#4b5563' });
    }
    const groupW = (panelW - 60) / data.sizes.length;
    const barW = Math.min(36, (groupW - 20) / data.peers.length);
    data.sizes.forEach((n, gi) => {
      const gx = x0 + 50 + gi * groupW;
      data.peers.forEach((p, pi) => {
        const v = values[n]?.[p.id];
        const bx = gx + 10 + pi * barW;
        if (Number.isFinite(v)) {
          b += `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${Math.max(1, bottom - y(v)).toFixed(1)}" fill="${COLORS[p.id] ?? '#6b7280'}" fill-opacity="0.85"/>`;
          b += text(bx + (barW - 4) / 2, y(v) - 4, v >= 10 ? v.toFixed(0) : v.toFixed(1), { anchor: 'middle', size: 10 });
        }
      });
      b += text(gx + 10 + (data.peers.length * barW) / 2, bottom + 16, `${n} programs`, { anchor: 'middle', size: 11 });
    });
    b += `<line x1="${x0 + 40}" y1="${bottom}" x2="${x0 + panelW - 10}" y2="${bottom}" stroke="#6b7280"/>`;
    if (goal !== undefined) {
      b += `<line x1="${x0 + 40}" y1="${y(goal).toFixed(1)}" x2="${x0 + panelW - 10}" y2="${y(goal).toFixed(1)}" stroke="#dc2626" stroke-dasharray="4 3"/>`;
      b += text(x0 + 44, y(goal) - 4, `goal < ${goal} ${unit}`, { size: 10, fill: '#dc2626' });
    }
    return b;
  };
  body += panel(20, 'Supervisor RSS (MB)', data.rss, 'MB', data.goalMB);
  body += panel(40 + panelW, `Supervisor CPU over ${data.idleS} s idle (ms)`, data.cpu, 'ms', undefined);
  let lx = 20;
  for (const p of data.peers) {
    body += `<rect x="${lx}" y="${H - 16}" width="10" height="10" fill="${COLORS[p.id] ?? '#6b7280'}"/>`;
    body += text(lx + 14, H - 7, p.label, { size: 11 });
    lx += 24 + p.label.length * 6.5;
  }
  return svgDoc(W, H, body, title);
}

/**
 * The scale series: one panel per metric, each a log–log plot of value against N with one line
 * per peer; a dotted line of slope 1 (linear growth) for reference, and an optional goal marker.
 * data: { sizes, peers: [{ id, label }], panels: [{ label, values: { [peerId]: { [n]: value } }, goal?: { n, v } }] }
 */
export function scaleChart(data, { title, subtitle }) {
  const W = 960;
  const cols = 2;
  const panelW = (W - 60) / cols;
  const panelH = 250;
  const rows = Math.ceil(data.panels.length / cols);
  const H = 70 + rows * (panelH + 20) + 30;
  let body = text(16, 24, title, { size: 16, weight: 'bold' }) + text(16, 42, subtitle, { size: 11, fill: '#4b5563' });
  const nLo = Math.min(...data.sizes);
  const nHi = Math.max(...data.sizes);
  data.panels.forEach((panel, k) => {
    const x0 = 20 + (k % cols) * (panelW + 20);
    const y0 = 70 + Math.floor(k / cols) * (panelH + 20);
    const left = x0 + 50;
    const right = x0 + panelW - 10;
    const top = y0 + 24;
    const bottom = y0 + panelH - 30;
    const vals = Object.values(panel.values)
      .flatMap((v) => Object.values(v))
      .filter((v) => Number.isFinite(v) && v > 0);
    if (panel.goal) vals.push(panel.goal.v);
    body += text(x0, y0 + 12, panel.label, { weight: 'bold', size: 13 });
    if (!vals.length) {
      body += text(left, (top + bottom) / 2, 'no data', { fill: '#6b7280' });
      return;
    }
    const lo = 10 ** Math.floor(Math.log10(Math.min(...vals)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...vals) * 1.05));
    const xs = logScale(nLo * 0.8, nHi * 1.25, left, right);
    const ysRaw = logScale(lo, hi, 0, 1);
    const y = (v) => bottom - ysRaw(v) * (bottom - top);
    for (const t of ysRaw.ticks()) {
      body += `<line x1="${left}" y1="${y(t.v).toFixed(1)}" x2="${right}" y2="${y(t.v).toFixed(1)}" stroke="${t.major ? '#e5e7eb' : '#f3f4f6'}"/>`;
      if (t.major || ysRaw.ticks().length < 8)
        body += text(left - 4, y(t.v) + 4, t.v >= 1 ? String(t.v) : t.v.toPrecision(1), { anchor: 'end', size: 10, fill: '#4b5563' });
    }
    for (const n of data.sizes) {
      body += `<line x1="${xs(n).toFixed(1)}" y1="${top}" x2="${xs(n).toFixed(1)}" y2="${bottom}" stroke="#f3f4f6"/>`;
      body += text(xs(n), bottom + 14, String(n), { anchor: 'middle', size: 10, fill: '#4b5563' });
    }
    body += `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#6b7280"/>`;
    // Linear reference through the lowest first point.
    const firsts = Object.values(panel.values)
      .map((v) => v[nLo])
      .filter((v) => Number.isFinite(v) && v > 0);
    if (firsts.length) {
      const v0 = Math.min(...firsts);
      const v1 = Math.min(hi, v0 * (nHi / nLo));
      const n1 = nLo * (v1 / v0);
      body += `<line x1="${xs(nLo).toFixed(1)}" y1="${y(v0).toFixed(1)}" x2="${xs(n1).toFixed(1)}" y2="${y(v1).toFixed(1)}" stroke="#9ca3af" stroke-dasharray="2 3"/>`;
    }
    for (const p of data.peers) {
      const pts = data.sizes.map((n) => [n, panel.values[p.id]?.[n]]).filter(([, v]) => Number.isFinite(v) && v > 0);
      if (!pts.length) continue;
      const color = COLORS[p.id] ?? '#6b7280';
      if (pts.length > 1)
        body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([n, v]) => `${xs(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
      for (const [n, v] of pts)
        body += `<circle cx="${xs(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${p.label}, ${n}: ${num(v, v >= 10 ? 0 : 1)}`)}</title></circle>`;
    }
    if (panel.goal && data.sizes.includes(panel.goal.n)) {
      const gx = xs(panel.goal.n);
      const gy = y(panel.goal.v);
      body += `<line x1="${(gx - 14).toFixed(1)}" y1="${gy.toFixed(1)}" x2="${(gx + 14).toFixed(1)}" y2="${gy.toFixed(1)}" stroke="#dc2626" stroke-width="2"/>`;
      body += text(gx - 16, gy - 4, `goal < ${panel.goal.v}`, { anchor: 'end', size: 10, fill: '#dc2626' });
    }
  });
  let lx = 20;
  for (const p of data.peers) {
    body += `<rect x="${lx}" y="${H - 18}" width="10" height="10" fill="${COLORS[p.id] ?? '#6b7280'}"/>`;
    body += text(lx + 14, H - 9, p.label, { size: 11 });
    lx += 24 + p.label.length * 6.5;
  }
  return svgDoc(W, H, body, title);
}
