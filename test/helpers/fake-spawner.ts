// A Spawner that runs nothing: each spawn returns a FakeChild the test makes write, exit or die,
// and every kill(2) is recorded and answered as the test says. Nothing happens on its own.
import type { ChildEvents, ChildHandle, KillResult, Spawner, SpawnRequest } from '../../src/supervisor/spawner.js';

/**
 * Pids of fake children start above the largest pid Linux can ever hand out (pid_max is at most
 * 2^22), so a fake pid that reaches a real kill(2) or /proc lookup can only miss.
 */
export const FIRST_FAKE_PID = 5_000_000;

export class FakeChild implements ChildHandle {
  readonly pid: number | undefined;
  readonly request: SpawnRequest;
  /** What the process wrote to the child's stdin. */
  readonly stdin: string[] = [];
  stdinOpen = true;
  #events: ChildEvents;
  #exited = false;

  constructor(pid: number | undefined, request: SpawnRequest, events: ChildEvents) {
    this.pid = pid;
    this.request = request;
    this.#events = events;
  }

  writeStdin(data: string | Buffer): boolean {
    if (!this.stdinOpen) return false;
    this.stdin.push(data.toString());
    return true;
  }
  closeStdin(): void {
    this.stdinOpen = false;
  }

  /** The child writes `text` on one of its pipes. */
  write(channel: 'stdout' | 'stderr', text: string): void {
    this.#events.output(channel, Buffer.from(text));
  }
  /** The child exits with `code` (its pipes drained). */
  exit(code: number): void {
    this.#reaped(code, null);
  }
  /** The child dies from `signal`. */
  kill(signal: NodeJS.Signals): void {
    this.#reaped(null, signal);
  }
  get exited(): boolean {
    return this.#exited;
  }
  #reaped(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) throw new Error(`fake child ${this.pid} was already reaped`);
    this.#exited = true;
    this.#events.exit(code, signal);
  }
}

export class FakeSpawner implements Spawner {
  readonly children: FakeChild[] = [];
  /** Every kill(2), in order. */
  readonly kills: { target: number; signal: number }[] = [];
  /** Groups reported released, in order. */
  readonly released: number[] = [];
  /** Process groups that still have members after their leader was reaped. */
  readonly liveGroups = new Set<number>();
  /** The answer to the next kills (default: success). */
  killResult: (target: number, signal: number) => KillResult = () => ({ ok: true });
  #nextPid = FIRST_FAKE_PID;
  #forkError: string | undefined;
  #execError: string | undefined;
  #pendingExec: (() => void) | undefined;

  /** The next spawn throws as a failed fork does (EAGAIN, EMFILE, …). */
  failNextFork(code: string): void {
    this.#forkError = code;
  }
  /** The next spawn gets no pid; reportExecFailure() then delivers the error, as libuv does on its next tick. */
  failNextExec(code: string): void {
    this.#execError = code;
  }
  reportExecFailure(): void {
    const report = this.#pendingExec;
    if (!report) throw new Error('no exec failure is pending');
    this.#pendingExec = undefined;
    report();
  }
  /** Kill failures with errno `code` from now on. */
  failKills(code: string): void {
    this.killResult = () => ({ ok: false, code, message: `kill ${code}` });
  }

  /** The most recent child. */
  get last(): FakeChild {
    const child = this.children.at(-1);
    if (!child) throw new Error('nothing was spawned');
    return child;
  }

  spawn(request: SpawnRequest, events: ChildEvents): FakeChild {
    if (this.#forkError) {
      const code = this.#forkError;
      this.#forkError = undefined;
      throw Object.assign(new Error(`spawn ${code}`), { code });
    }
    if (this.#execError) {
      const code = this.#execError;
      this.#execError = undefined;
      this.#pendingExec = () => events.execFailed(code);
      return new FakeChild(undefined, request, events);
    }
    const child = new FakeChild(this.#nextPid++, request, events);
    this.children.push(child);
    return child;
  }
  kill(target: number, signal: number): KillResult {
    this.kills.push({ target, signal });
    return this.killResult(target, signal);
  }
  groupExists(pgid: number): boolean {
    return this.liveGroups.has(pgid);
  }
  release(pgid: number): void {
    this.released.push(pgid);
  }
}
