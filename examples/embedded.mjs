// The embedded API: a ProcessManager in your own Node process, printing every state change.
// Run with `npm start`; Ctrl-C stops everything in reverse priority order.
import { ProcessManager } from '../dist/index.js';

const here = new URL('.', import.meta.url).pathname;
const pm = new ProcessManager();
pm.on('processState', (e) =>
  console.log(
    `${new Date(e.time).toISOString()} ${e.group}:${e.name} ${e.from} -> ${e.to}${e.pid ? ` (pid ${e.pid})` : ''}${e.spawnerr ? ` — ${e.spawnerr}` : ''}`,
  ),
);

pm.addProcessGroup({ name: 'web', command: ['node', `${here}programs/web.mjs`], environment: { PORT: '8080' }, priority: 10 });
pm.addProcessGroup({ name: 'flappy', command: ['node', `${here}programs/flappy.mjs`], startretries: 2 });
pm.addProcessGroup({
  name: 'worker',
  command: ['node', `${here}programs/worker.mjs`],
  numprocs: 2,
  process_name: '%(program_name)s_%(process_num)02d',
});

await pm.start();
process.on('SIGINT', async () => {
  console.log('\nshutting down');
  await pm.shutdown();
  process.exit(0);
});
