// Host process for the embedded ProcessManager (dist/index.js): the bench measures this process
// the way it measures supervisord's python process. Driven over the IPC channel:
// { id, op, args } → { id, result } | { id, error }.
import { ProcessManager } from '../../dist/index.js';

const [dir] = process.argv.slice(2);
const pm = new ProcessManager({ environment: process.env, childlogdir: dir });
const brief = (p) => ({ name: p.name, state: p.statename, pid: p.pid });

const ops = {
  async add(programs) {
    for (const p of programs) {
      pm.addProcessGroup({
        name: p.name,
        command: p.command,
        autostart: p.autostart,
        autorestart: p.autorestart,
        startsecs: p.startsecs,
        stopwaitsecs: p.stopwaitsecs,
        stdout_logfile: p.stdout ?? 'NONE',
        stdout_logfile_maxbytes: p.maxbytes,
        stdout_logfile_backups: p.backups,
        stderr_logfile: p.stderr ?? 'NONE',
        stderr_logfile_maxbytes: 0,
        stderr_logfile_backups: 0,
      });
    }
    await pm.start();
    return true;
  },
  start: async (name) => brief(await pm.startProcess(name, { wait: true })),
  startNoWait: async (name) => brief(await pm.startProcess(name, { wait: false })),
  stop: async (name) => brief(await pm.stopProcess(name, { wait: true })),
  startAll: async () => (await pm.startAllProcesses({ wait: true })).length,
  list: () => pm.getAllProcessInfo().map(brief),
  info: (name) => brief(pm.getProcessInfo(name)),
  async shutdown() {
    await pm.shutdown();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on('message', async ({ id, op, args }) => {
  try {
    process.send({ id, result: await ops[op](...(args ?? [])) });
  } catch (e) {
    process.send({ id, error: String(e?.message ?? e) });
  }
});
process.on('disconnect', () => void pm.shutdown().then(() => process.exit(0)));
process.send({ ready: true });
