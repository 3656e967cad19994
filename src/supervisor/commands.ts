// The commands that start, stop and signal one process or many, with supervisord's results:
// per-process faults instead of a failed call, immediate results before waited ones.
import {
  AbnormalTerminationError,
  AlreadyStartedError,
  BadSignalError,
  FailedError,
  FAULTS,
  isSupervisorError,
  NoFileError,
  NotExecutableError,
  NotRunningError,
  SpawnError,
  type SupervisorError,
} from '../errors.js';
import { BadCommandError } from './command.js';
import type { TimerHandle } from './clock.js';
import type { ManagerContext } from './context.js';
import { makeNamespec } from './names.js';
import type { SupervisedProcess } from './process.js';
import { parseSignal, type SignalSpec } from './signals.js';
import { RUNNING_STATES, SIGNALLABLE_STATES, STOPPED_STATES } from './states.js';
import { waitForProcess } from './waiting.js';

export interface WaitOptions {
  /** Wait for RUNNING (start) or a stopped state (stop). Default true, as in supervisord. */
  wait?: boolean;
  /** Stops the waiting, never the process. */
  signal?: AbortSignal;
}

/** One entry of a group/all operation's result, as supervisord returns it. */
export interface ProcessResult {
  name: string;
  group: string;
  status: number;
  description: string;
}

/** Waits for the outcome of a request already made. */
type Outcome = (signal?: AbortSignal) => Promise<void>;

export const okResult = (p: SupervisedProcess): ProcessResult => ({ name: p.name, group: p.group, status: FAULTS.SUCCESS, description: 'OK' });

export const faultResult = (p: SupervisedProcess, e: unknown): ProcessResult =>
  isSupervisorError(e)
    ? { name: p.name, group: p.group, status: e.faultCode, description: e.faultString }
    : { name: p.name, group: p.group, status: FAULTS.FAILED, description: `FAILED: ${String(e)}` };

export class Commands {
  readonly #ctx: ManagerContext;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  // ---- start -------------------------------------------------------------------------------

  /** Spawns and returns a function that waits for the outcome (supervisord's onwait). */
  beginStart(p: SupervisedProcess, namespec: string): Outcome {
    try {
      p.checkCommand();
    } catch (e) {
      if (e instanceof BadCommandError) throw e.fault === 'NO_FILE' ? new NoFileError(e.message) : new NotExecutableError(e.message);
      throw e;
    }
    if (RUNNING_STATES.has(p.state)) throw new AlreadyStartedError(namespec);
    if (p.state === 'UNKNOWN') throw new FailedError(`${namespec} is in an unknown process state`);
    // While STOPPING the spawn is a no-op ("already running") and the wait ends ABNORMAL_TERMINATION.
    p.spawn();
    if (p.spawnerr) throw withOutput(new SpawnError(namespec), p);
    // supervisord evaluates the process right away: startsecs=0 is RUNNING before the call returns.
    p.evaluate();
    const outcome = (): 'done' | Error | undefined => {
      // Out of retries: report once FATAL is entered (supervisord gives up before it answers).
      if (p.spawnerr && p.givingUp) return undefined;
      if (p.spawnerr) return withOutput(new SpawnError(namespec), p);
      if (p.state === 'RUNNING') return 'done';
      if (p.state !== 'STARTING') return withOutput(new AbnormalTerminationError(namespec), p);
      return undefined;
    };
    return (signal) => waitForProcess(this.#ctx.events, p, outcome, signal);
  }

  /** Starts every process of `procs` that is not running; results as supervisord orders them. */
  async startMany(procs: SupervisedProcess[], options: WaitOptions): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    const waits: Promise<ProcessResult>[] = [];
    for (const p of procs) {
      if (RUNNING_STATES.has(p.state)) continue;
      let wait: Outcome;
      try {
        wait = this.beginStart(p, makeNamespec(p.group, p.name));
      } catch (e) {
        results.push(faultResult(p, e));
        continue;
      }
      if (options.wait === false || p.state === 'RUNNING') {
        // Done at once: reported in process order, before anything waited for (supervisord).
        results.push(okResult(p));
        continue;
      }
      waits.push(settle(p, wait(options.signal)));
    }
    return [...results, ...(await Promise.all(waits))];
  }

  // ---- stop --------------------------------------------------------------------------------

  beginStop(p: SupervisedProcess, namespec: string): Outcome {
    if (!RUNNING_STATES.has(p.state)) throw new NotRunningError(namespec);
    p.stop();
    const check = () => (STOPPED_STATES.has(p.state) ? ('done' as const) : undefined);
    const { clock } = this.#ctx.host;
    // supervisord logs 'waiting for NAME to stop' while a stop request waits, at most every 2 s.
    const report = () => {
      let timer: TimerHandle | undefined;
      const tick = () => {
        this.#ctx.host.log('info', `waiting for ${p.name} to stop`);
        timer = clock.setTimeout(tick, 2000);
      };
      // supervisord's first check of a waited stop comes right after the stop signal (its next
      // loop iteration): a process still stopping then is reported at once.
      timer = clock.setTimeout(tick, 0);
      return () => clock.clearTimeout(timer);
    };
    return (signal) => waitForProcess(this.#ctx.events, p, check, signal, report);
  }

  /** Stops every running process of `procs`; results as supervisord orders them. */
  async stopMany(procs: SupervisedProcess[], options: WaitOptions): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    const waits: Promise<ProcessResult>[] = [];
    for (const p of procs) {
      if (!RUNNING_STATES.has(p.state)) continue;
      let wait: Outcome;
      try {
        wait = this.beginStop(p, makeNamespec(p.group, p.name));
      } catch (e) {
        results.push(faultResult(p, e));
        continue;
      }
      if (options.wait === false || STOPPED_STATES.has(p.state)) {
        results.push(okResult(p));
        continue;
      }
      waits.push(settle(p, wait(options.signal)));
    }
    return [...results, ...(await Promise.all(waits))];
  }

  /** Runs `fn` on each process, collecting a result per process (a fault instead of a throw). */
  forEach(procs: readonly SupervisedProcess[], fn: (p: SupervisedProcess) => void): ProcessResult[] {
    return procs.map((p) => {
      try {
        fn(p);
        return okResult(p);
      } catch (e) {
        return faultResult(p, e);
      }
    });
  }

  // ---- signal ------------------------------------------------------------------------------

  signalNumber(sig: SignalSpec): number {
    try {
      return parseSignal(sig);
    } catch {
      throw new BadSignalError(String(sig));
    }
  }

  signalOne(p: SupervisedProcess, sig: number, namespec: string): void {
    if (!SIGNALLABLE_STATES.has(p.state)) throw new NotRunningError(namespec);
    p.signal(sig);
  }

  /**
   * A signal for a group or all: like signalMany, but a bad signal is one BAD_SIGNAL result per
   * signallable process, as supervisord reports it, instead of a fault for the call.
   */
  signalGroup(procs: SupervisedProcess[], signal: SignalSpec): ProcessResult[] {
    let sig: number;
    try {
      sig = this.signalNumber(signal);
    } catch (e) {
      return procs.filter((p) => SIGNALLABLE_STATES.has(p.state)).map((p) => faultResult(p, e));
    }
    return this.signalMany(procs, sig);
  }

  /** Signals every signallable process of `procs`: results for those only. */
  signalMany(procs: SupervisedProcess[], sig: number): ProcessResult[] {
    const results: ProcessResult[] = [];
    for (const p of procs) {
      if (!SIGNALLABLE_STATES.has(p.state)) continue;
      try {
        this.signalOne(p, sig, makeNamespec(p.group, p.name));
        results.push(okResult(p));
      } catch (e) {
        results.push(faultResult(p, e));
      }
    }
    return results;
  }
}

/**
 * The result of one waited operation. Waited results come after the immediate ones, in process
 * order: supervisord checks its deferred callbacks in that order, once per tick.
 */
function settle(p: SupervisedProcess, wait: Promise<void>): Promise<ProcessResult> {
  return wait.then(
    () => okResult(p),
    (e: unknown) => faultResult(p, e),
  );
}

/** Attaches the last lines a process wrote to a start failure, so a failing test shows them. */
function withOutput<E extends SupervisorError>(err: E, p: SupervisedProcess): E {
  const stdout = p.logs.stdout.lastLines(20);
  const stderr = p.logs.stderr?.lastLines(20) ?? [];
  err.output = { stdout, stderr };
  const spawnerr = p.spawnerr ? ` (${p.spawnerr})` : '';
  const tail = [...(stdout.length ? ['--- last stdout lines ---', ...stdout] : []), ...(stderr.length ? ['--- last stderr lines ---', ...stderr] : [])];
  err.message = `${err.faultString}${spawnerr}${tail.length ? `\n${tail.join('\n')}` : ''}`;
  return err;
}
