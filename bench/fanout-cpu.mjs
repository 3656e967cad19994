// Host CPU and time for N programs to reach RUNNING in one embedded manager: `node bench/fanout-cpu.mjs dist 2000`.
const dist = new URL(`../${process.argv[2] ?? 'dist'}/`, import.meta.url).href.replace(/\/$/, '');
const N = Number(process.argv[3] ?? 2000);
const { ProcessManager } = await import(dist + '/index.js');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const pm = new ProcessManager({ environment: env });
for (let i = 0; i < N; i++) pm.addProcessGroup({ name: 'p' + i, command: 'sleep 1000', startsecs: 0, stdout_logfile: 'NONE', stderr_logfile: 'NONE' });
let running = 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
const done = new Promise((r) =>
  pm.on('processState', (e) => {
    if (e.to === 'RUNNING' && ++running === N) r();
  }),
);
await pm.start();
await done;
const t1 = performance.now();
const c = process.cpuUsage(c0);
console.log(`N=${N} all RUNNING in ${(t1 - t0).toFixed(0)} ms, host CPU ${((c.user + c.system) / 1000).toFixed(0)} ms`);
await pm.shutdown();
