// supervisorctl's Controller: line parsing (Python's cmd.Cmd), dispatch, the "upcheck" before
// most commands, exit status bookkeeping, and the catch-all error report of onecmd().

import { XmlRpcClient, XmlRpcConnectionError, XmlRpcProtocolError } from '../xmlrpc/client.js';
import { XmlRpcFault, type XmlRpcEncodable, type XmlRpcValue } from '../xmlrpc/types.js';
import type { CtlOptions } from './ctl-options.js';
import { LineReader } from './ctl-line-reader.js';
import { formatUnhandledError } from './ctl-python.js';
import { FAULTS } from './ctl-rpc.js';

/** supervisorctl's LSBInitExitStatuses. */
export const EXIT = {
  SUCCESS: 0,
  GENERIC: 1,
  INVALID_ARGS: 2,
  UNIMPLEMENTED_FEATURE: 3,
  INSUFFICIENT_PRIVILEGES: 4,
  NOT_INSTALLED: 5,
  NOT_RUNNING: 7,
} as const;

/** supervisorctl's LSBStatusExitStatuses (used by `status`). */
export const STATUS_EXIT = { NOT_RUNNING: 3, UNKNOWN: 4 } as const;

/** The API version supervisorctl insists on. */
import { API_VERSION } from '../server/rpc-methods.js';

const DEAD_PROGRAM_FAULTS: readonly number[] = [FAULTS.SPAWN_ERROR, FAULTS.ABNORMAL_TERMINATION, FAULTS.NOT_RUNNING];

export interface TextSink {
  write(chunk: string): unknown;
}

/** Where the CLI reads and writes; everything but stdout/stderr defaults to the real process. */
export interface CtlIo {
  stdout: TextSink;
  stderr: TextSink;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Program path used for `-h`, usage errors and the config search path. */
  progname?: string;
  /** Input for the interactive shell and `fg`. */
  stdin?: NodeJS.ReadableStream;
  /** Ctrl-C: ends `tail -f`, `maintail -f`, `fg` and the shell the way supervisorctl does. */
  signal?: AbortSignal;
  /** @internal Replaces supervisorctl's config search path (tests). */
  configSearchPaths?: readonly string[];
}

/** A command: `do_NAME(arg)`. Returning true ends the interactive shell. */
export type Command = (ctl: Controller, arg: string) => Promise<boolean | void>;

/** Thrown into a command when Ctrl-C arrives and the command does not handle it. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

const IDENTCHARS = /[A-Za-z0-9_]/;

/** Python's cmd.Cmd.parseline(). */
export function parseLine(input: string): { cmd: string | null; arg: string | null; line: string } {
  let line = input.trim();
  if (!line) return { cmd: null, arg: null, line };
  if (line.startsWith('?')) line = `help ${line.slice(1)}`;
  else if (line.startsWith('!')) return { cmd: null, arg: null, line };
  let i = 0;
  while (i < line.length && IDENTCHARS.test(line[i]!)) i++;
  return { cmd: line.slice(0, i), arg: line.slice(i).trim(), line };
}

/** Python's str.split() with no separator. */
export function splitArgs(arg: string): string[] {
  return arg.split(/\s+/).filter((s) => s !== '');
}

export class Controller {
  /** The process exit status, as supervisorctl's `exitstatus`. */
  exitstatus: number = EXIT.SUCCESS;
  /** Set by commands that end cleanly on Ctrl-C (tail -f, fg). */
  handlesInterrupt = false;
  /** Lines typed by the user (shell, y/N questions, fg). */
  readonly lines: LineReader;
  // The connection to supervisord; created on first use (a bad serverurl fails there).
  #client: XmlRpcClient | undefined;

  constructor(
    readonly options: CtlOptions,
    readonly io: CtlIo,
    readonly commands: ReadonlyMap<string, Command>,
  ) {
    this.lines = new LineReader(() => io.stdin, io.stdout);
  }

  /** supervisorctl's output(): the message and a newline on stdout. */
  output(message: string): void {
    this.io.stdout.write(`${message}\n`);
  }

  /** The XML-RPC client for the current serverurl. */
  client(): XmlRpcClient {
    this.#client ??= new XmlRpcClient({
      serverurl: this.options.serverurl,
      username: this.options.username,
      password: this.options.password,
    });
    return this.#client;
  }

  /** Calls `supervisor.METHOD`. */
  supervisor(method: string, ...params: XmlRpcEncodable[]): Promise<XmlRpcValue> {
    return this.client().call(`supervisor.${method}`, ...params);
  }

  /** Switches to another server (`open`). */
  setServerUrl(url: string): void {
    this.close();
    this.options.serverurl = url;
  }

  /** Drops the server connection (the controller stays usable). */
  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  /** supervisorctl's set_exitstatus_from_xmlrpc_fault(). */
  setExitstatusFromFault(faultCode: number, ignored?: number): void {
    if (faultCode === ignored || faultCode === FAULTS.SUCCESS) return;
    this.exitstatus = DEAD_PROGRAM_FAULTS.includes(faultCode) ? EXIT.NOT_RUNNING : EXIT.GENERIC;
  }

  /** Checks the server speaks API 3.0 (supervisorctl's upcheck); prints why not. */
  async upcheck(): Promise<boolean> {
    try {
      const api = await this.supervisor('getVersion');
      if (api !== API_VERSION) {
        this.output(
          `Sorry, this version of supervisorctl expects to talk to a server with API version ${API_VERSION}, but the remote version is ${String(api)}.`,
        );
        this.exitstatus = EXIT.NOT_INSTALLED;
        return false;
      }
    } catch (e) {
      if (e instanceof XmlRpcFault && e.faultCode === FAULTS.UNKNOWN_METHOD) {
        this.output(
          'Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).',
        );
        this.exitstatus = EXIT.UNIMPLEMENTED_FEATURE;
        return false;
      }
      if (e instanceof XmlRpcConnectionError && e.code === 'ECONNREFUSED') {
        this.output(`${this.options.serverurl} refused connection`);
        this.exitstatus = EXIT.INSUFFICIENT_PRIVILEGES;
        return false;
      }
      if (e instanceof XmlRpcConnectionError && e.code === 'ENOENT') {
        this.output(`${this.options.serverurl} no such file`);
        this.exitstatus = EXIT.NOT_RUNNING;
        return false;
      }
      this.exitstatus = EXIT.GENERIC;
      throw e;
    }
    return true;
  }

  /** `*** Unknown syntax: LINE`. */
  default(line: string): void {
    this.output(`*** Unknown syntax: ${line}`);
    this.exitstatus = EXIT.GENERIC;
  }

  /** Runs one command line; true means "leave the shell". Never throws. */
  async onecmd(input: string): Promise<boolean> {
    const { cmd, arg, line } = parseLine(input);
    if (!line) return false;
    const run = cmd ? this.commands.get(cmd) : undefined;
    if (!run || arg === null) {
      this.default(line);
      return false;
    }
    try {
      try {
        return (await this.#interruptible(run(this, arg))) === true;
      } catch (e) {
        if (!(e instanceof XmlRpcProtocolError)) throw e;
        this.exitstatus = EXIT.GENERIC;
        if (e.status !== 401) throw e;
        this.output('Server requires authentication');
      }
      // supervisorctl 4.2.5 runs the command a second time after a 401 (and so reports the
      // ProtocolError of that second attempt).
      await this.#interruptible(run(this, arg));
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      this.output(formatUnhandledError(e));
      this.exitstatus = EXIT.GENERIC;
    }
    return false;
  }

  // Ctrl-C ends a command that does not handle it itself (supervisorctl dies of
  // KeyboardInterrupt there); tail -f and fg set handlesInterrupt and finish on their own.
  #interruptible<T>(work: Promise<T>): Promise<T> {
    const signal = this.io.signal;
    if (!signal) return work;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.handlesInterrupt) reject(new Interrupted('interrupted'));
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
