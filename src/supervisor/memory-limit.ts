// max_memory_mb and metrics: which processes the sampler reads, and the graceful restart of a
// process that stayed over its limit for two samples.
import type { ManagerContext } from './context.js';
import { MemoryWatch, type Sampled } from './memory-watch.js';
import { makeNamespec } from './names.js';

export interface MemoryLimitOptions {
  intervalMs: number;
  /** Sample every process (metrics), not only those with a limit. */
  all: boolean;
  /** Stops then starts a process (the manager's own commands). */
  restart(namespec: string): Promise<unknown>;
}

export function createMemoryWatch(ctx: ManagerContext, o: MemoryLimitOptions): MemoryWatch {
  const targets = (): Sampled[] => {
    const out: Sampled[] = [];
    for (const p of ctx.registry.processes()) {
      const limit = p.spec.ext.max_memory_mb;
      if (p.pid !== 0 && (limit !== null || o.all) && p.state !== 'STOPPING') out.push({ name: p.name, group: p.group, pid: p.pid, limitMb: limit });
    }
    return out;
  };
  const onOver = (t: Sampled, rss: number): void => {
    const p = ctx.registry.get(t.group)?.find(t.name);
    if (!p || p.pid !== t.pid || ctx.mood() !== 'RUNNING') return;
    const mb = Math.round(rss / 1024 / 1024);
    ctx.host.log('warn', `${t.name} exceeded max_memory_mb (${mb} MB > ${t.limitMb} MB): restarting it`);
    ctx.events.emit('memoryLimit', { name: t.name, group: t.group, pid: t.pid, rss, limitMb: t.limitMb ?? 0 });
    const namespec = makeNamespec(t.group, t.name);
    o.restart(namespec).catch((e: unknown) => ctx.host.log('error', `could not restart ${namespec} after its memory limit: ${(e as Error).message}`));
  };
  return new MemoryWatch({ clock: ctx.host.clock, intervalMs: o.intervalMs, targets, onOver });
}
