// Quick runs: a command started at once as an ephemeral program (no restarts, no retries), kept
// until it is deleted, or until the retention time has passed since it ended.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { AlreadyAddedError, BadNameError, isSupervisorError, NotRunningError } from '../errors.js';
import type { ProgramConfig } from '../supervisor/config.js';
import type { ProcessStateEvent } from '../supervisor/events.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { RUNNING_STATES, STOPPED_STATES } from '../supervisor/states.js';
import { expectObject, invalid, isJsonObject, type JsonObject, rejectUnknownFields } from './json-api-http.js';
import { type ProcessStatus, toStatus } from './json-api-status.js';
import { checkRunInput } from './api-input-limits.js';

/** How long an ended run is kept when nobody reads its output. */
export const DEFAULT_RETENTION_MS = 10 * 60 * 1000;

const RUN_FIELDS: ReadonlySet<string> = new Set(['command', 'directory', 'environment', 'user', 'name', 'timeoutSeconds']);
/** setTimeout's limit, in seconds. */
const MAX_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

export interface RunView {
  name: string;
  namespec: string;
  ended: boolean;
  /** It was stopped because `timeoutSeconds` passed. */
  timedOut: boolean;
  /** The exit status once ended (-1 after a signal), else null. */
  exitstatus: number | null;
  status: ProcessStatus;
}

interface Run {
  name: string;
  /** The manager it runs in; a daemon reload replaces the manager and so ends the run's record. */
  pm: ProcessManager;
  ended: boolean;
  timedOut: boolean;
  exitstatus: number | null;
  /** Its log files, deleted with it. */
  paths: string[];
  timeout: NodeJS.Timeout | undefined;
  retention: NodeJS.Timeout | undefined;
  unlisten: () => void;
}

/** Validates a run request into a program definition. */
function parseRun(body: unknown): { config: ProgramConfig; timeoutSeconds: number | undefined } {
  const obj = expectObject(body, true);
  rejectUnknownFields(obj, RUN_FIELDS);
  const { command, directory, environment, user, name, timeoutSeconds } = obj;
  const isArgv = Array.isArray(command) && command.length > 0 && command.every((w) => typeof w === 'string');
  if (!(typeof command === 'string' && command.trim() !== '') && !isArgv) {
    throw invalid('command', "field 'command' is required: a command line or an array of strings");
  }
  if (directory !== undefined && typeof directory !== 'string') throw invalid('directory', "field 'directory' must be a string");
  if (environment !== undefined && !(isJsonObject(environment) && Object.values(environment).every((v) => typeof v === 'string'))) {
    throw invalid('environment', "field 'environment' must be an object of strings");
  }
  if (user !== undefined && typeof user !== 'string' && !(typeof user === 'number' && Number.isInteger(user))) {
    throw invalid('user', "field 'user' must be a user name or uid");
  }
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.trim() !== name || name === '.' || name === '..')) {
    throw invalid('name', "field 'name' must be a non-empty name without surrounding spaces");
  }
  if (timeoutSeconds !== undefined && !(typeof timeoutSeconds === 'number' && timeoutSeconds > 0 && timeoutSeconds <= MAX_TIMEOUT_SECONDS)) {
    throw invalid('timeoutSeconds', `field 'timeoutSeconds' must be a number of seconds between 0 and ${MAX_TIMEOUT_SECONDS}`);
  }
  const config: JsonObject = {
    name: name ?? `run-${randomBytes(4).toString('hex')}`,
    command,
    autostart: false,
    autorestart: false,
    startsecs: 0,
    startretries: 0,
    stdout_logfile_backups: 0,
    stderr_logfile_backups: 0,
  };
  if (directory !== undefined) config.directory = directory;
  if (environment !== undefined) config.environment = environment;
  if (user !== undefined) config.user = user;
  return { config: config as unknown as ProgramConfig, timeoutSeconds };
}

export class RunRegistry {
  readonly #manager: () => ProcessManager;
  readonly #retentionMs: number;
  /** Names taken by something else (the program store). */
  readonly #isReserved: (name: string) => Promise<boolean>;
  /** Live runs by name. */
  readonly #runs = new Map<string, Run>();

  constructor(options: { manager: () => ProcessManager; retentionMs?: number | undefined; isReserved: (name: string) => Promise<boolean> }) {
    this.#manager = options.manager;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#isReserved = options.isReserved;
  }

  /** Adds the run's program and starts it at once. @throws ApiError, ConfigError, AlreadyAddedError, NO_FILE … */
  async create(body: unknown): Promise<RunView> {
    const { config, timeoutSeconds } = parseRun(body);
    const pm = this.#manager();
    const name = config.name;
    checkRunInput(config, pm.identifier);
    if (this.#runs.has(name) || (await this.#isReserved(name))) throw new AlreadyAddedError(name);
    pm.addProcessGroup(config);
    const run = this.#track(pm, name);
    try {
      await pm.startProcess(name, { wait: false });
    } catch (e) {
      this.#discard(run);
      throw e;
    }
    if (timeoutSeconds !== undefined && !run.ended) {
      run.timeout = setTimeout(() => this.#guard(run, () => this.#expire(run)), timeoutSeconds * 1000).unref();
    }
    return this.#view(run);
  }

  #track(pm: ProcessManager, name: string): Run {
    const info = pm.getProcessInfo(name);
    const listener = (ev: ProcessStateEvent) => {
      if (ev.group === name && ev.name === name) this.#onState(run, ev);
    };
    const run: Run = {
      name,
      pm,
      ended: false,
      timedOut: false,
      exitstatus: null,
      paths: [info.stdout_logfile, info.stderr_logfile].filter((p) => p !== ''),
      timeout: undefined,
      retention: undefined,
      unlisten: () => pm.off('processState', listener),
    };
    pm.on('processState', listener);
    this.#runs.set(name, run);
    return run;
  }

  #onState(run: Run, ev: ProcessStateEvent): void {
    if (STOPPED_STATES.has(ev.to)) {
      run.ended = true;
      run.exitstatus = run.pm.getProcessInfo(run.name).exitstatus;
      clearTimeout(run.timeout);
      clearTimeout(run.retention);
      run.retention = setTimeout(() => this.#guard(run, () => this.#discard(run)), this.#retentionMs).unref();
    } else if (ev.to === 'STARTING') {
      // Started again (through the processes API): it is live once more.
      run.ended = false;
      run.exitstatus = null;
      clearTimeout(run.retention);
    }
  }

  /** Timer work must never throw into the event loop: failures go to the activity log. */
  #guard(run: Run, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      run.pm.mainLog.warn(`quick run ${run.name}: ${(e as Error).message}`);
    }
  }

  #expire(run: Run): void {
    if (!run.pm.getGroupDetails(run.name)) return;
    if (!RUNNING_STATES.has(run.pm.getProcessInfo(run.name).statename)) return;
    run.timedOut = true;
    run.pm.stopProcess(run.name, { wait: false }).catch(() => undefined);
  }

  /** Forgets a run and removes its stopped program and log files. */
  #discard(run: Run): void {
    clearTimeout(run.timeout);
    clearTimeout(run.retention);
    run.unlisten();
    this.#runs.delete(run.name);
    try {
      run.pm.removeProcessGroup(run.name);
    } catch (e) {
      // Gone already, or shutting down (the manager cleans up itself).
      if (!isSupervisorError(e)) throw e;
    }
    for (const path of run.paths) {
      try {
        rmSync(path, { force: true });
      } catch (e) {
        run.pm.mainLog.warn(`quick run ${run.name}: could not delete ${path}: ${(e as Error).message}`);
      }
    }
  }

  /** The run, if it still exists in the current manager. */
  #find(name: string): Run {
    const run = this.#runs.get(name);
    // Gone with a replaced manager, or removed behind the API's back (XML-RPC removeProcessGroup).
    if (run && (run.pm !== this.#manager() || !run.pm.getGroupDetails(name))) {
      this.#runs.delete(name);
      run.unlisten();
      clearTimeout(run.timeout);
      clearTimeout(run.retention);
    } else if (run) return run;
    throw new BadNameError(name);
  }

  #view(run: Run): RunView {
    return {
      name: run.name,
      namespec: run.name,
      ended: run.ended,
      timedOut: run.timedOut,
      exitstatus: run.ended ? run.exitstatus : null,
      status: toStatus(run.pm.getProcessStatus(run.name)),
    };
  }

  get(name: string): RunView {
    return this.#view(this.#find(name));
  }

  list(): RunView[] {
    const pm = this.#manager();
    return [...this.#runs.values()].filter((r) => r.pm === pm && pm.getGroupDetails(r.name)).map((r) => this.#view(r));
  }

  /** The whole output (reading it changes nothing). */
  logs(name: string): RunView & { stdout: string; stderr: string } {
    const run = this.#find(name);
    const read = (channel: 'stdout' | 'stderr') => {
      try {
        return channel === 'stdout' ? run.pm.readProcessStdoutLog(name, 0, 0) : run.pm.readProcessStderrLog(name, 0, 0);
      } catch (e) {
        if (isSupervisorError(e) && e.code === 'NO_FILE') return '';
        throw e;
      }
    };
    // A GET never changes state: the run stays until DELETE or its retention time.
    return { ...this.#view(run), stdout: read('stdout'), stderr: read('stderr') };
  }

  /** Stops (waiting) and removes a run. */
  async remove(name: string): Promise<void> {
    const run = this.#find(name);
    try {
      await run.pm.stopProcess(name, { wait: true });
    } catch (e) {
      if (!(e instanceof NotRunningError)) throw e;
    }
    this.#discard(run);
  }

  /** Forgets every run and its timers (the manager's shutdown stops the processes). */
  close(): void {
    for (const run of this.#runs.values()) {
      clearTimeout(run.timeout);
      clearTimeout(run.retention);
      run.unlisten();
    }
    this.#runs.clear();
  }
}
