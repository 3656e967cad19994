// Test-harness helpers: a ProcessManager for fixtures (servers, databases, workers) that waits for
// readiness, attaches captured output to failures, and proves on dispose that nothing outlived
// the test. Works with vitest, jest and node:test (`await using`, or call dispose() in an after hook).
import { ProcessManager, type ManagerOptions } from './supervisor/manager.js';
import type { GroupConfig, ProgramConfig } from './supervisor/config.js';
import type { ProcessInfo } from './supervisor/process-info.js';
import { familyOf, readProcTable } from './supervisor/proc-table.js';

/** Thrown by dispose() when a process a fixture started is still alive afterwards. */
export class LeakError extends Error {
  override name = 'LeakError';
  constructor(readonly pids: number[]) {
    super(`processes left behind after dispose: ${pids.join(', ')}`);
  }
}

export interface FixtureHarness extends AsyncDisposable {
  readonly pm: ProcessManager;
  /** Adds a program and starts it (readiness included); rejects with its last output on failure. */
  start(config: ProgramConfig): Promise<ProcessInfo>;
  /** Adds a group and starts all its processes. */
  startGroup(config: GroupConfig): Promise<ProcessInfo[]>;
  /** The last `n` lines of every process, labelled: for a failing assertion's message. */
  output(n?: number): string;
  /** Shuts everything down, then throws LeakError if any started process (or descendant) survives. */
  dispose(): Promise<void>;
}

/**
 * A manager for test fixtures. Children run without NODE_EXTRA_CA_CERTS (it slows every Node
 * start by ~90 ms); pass `environment` to override.
 *
 * @example
 * await using fx = createFixtures();
 * await fx.start({ name: 'api', command: ['node', 'server.js'], startsecs: 0, port: 'ephemeral',
 *                  ready: { checks: [{ log: 'listening' }], timeout: 10 } });
 * expect(await fetch(...), fx.output()).toBe(...);
 */
export function createFixtures(options: ManagerOptions = {}): FixtureHarness {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const pm = new ProcessManager({ environment: env, ...options });
  const pids = new Set<number>();
  pm.on('processState', (e) => {
    if (e.pid) pids.add(e.pid);
  });
  const output = (n = 30) =>
    pm
      .getAllProcessInfo()
      .map((p) => {
        const ns = p.group === p.name ? p.name : `${p.group}:${p.name}`;
        const out = pm.lastLines(ns, n, 'stdout');
        const err = pm.lastLines(ns, n, 'stderr');
        return [`=== ${ns} (${p.statename}${p.spawnerr ? `: ${p.spawnerr}` : ''})`, ...out.map((l) => `  out| ${l}`), ...err.map((l) => `  err| ${l}`)].join(
          '\n',
        );
      })
      .join('\n');
  const dispose = async () => {
    await pm.shutdown();
    const left = familyOf(pids, readProcTable()).map((e) => e.pid);
    if (left.length) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      throw new LeakError(left);
    }
  };
  return {
    pm,
    async start(config) {
      pm.addProcessGroup({ autostart: false, ...config });
      return pm.startProcess(config.name);
    },
    async startGroup(config) {
      pm.addProcessGroup({ ...config, programs: config.programs.map((p) => ({ autostart: false, ...p })) });
      const results = await pm.startProcessGroup(config.name);
      const failed = results.filter((r) => r.status !== 80);
      if (failed.length) throw new Error(`could not start ${failed.map((r) => `${r.group}:${r.name} (${r.description})`).join(', ')}\n${output()}`);
      return pm.getAllProcessInfo().filter((p) => p.group === config.name);
    },
    output,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
