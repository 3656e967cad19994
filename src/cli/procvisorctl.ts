#!/usr/bin/env node
// procvisorctl: supervisorctl 4.2.5 reimplemented in Node, with the same commands, output bytes
// and exit statuses, usable against supervisord or procvisor.
//
//   procvisorctl [-c FILE] [-s URL] [-u USER] [-p PASS] [-i] COMMAND [ARGS]

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { doAdd, doAvail, doRemove, doReread, doUpdate } from './ctl-cmd-config.js';
import { doEOF, doFg, doOpen, doReload, doShutdown, doVersion } from './ctl-cmd-daemon.js';
import { doMaintail, doTail } from './ctl-cmd-logs.js';
import { doLogs } from './ctl-cmd-merged-logs.js';
import { doClear, doPid, doRestart, doSignal, doStart, doStatus, doStop } from './ctl-cmd-process.js';
import { Controller, Interrupted, type Command, type CtlIo } from './ctl-controller.js';
import { doHelp } from './ctl-help.js';
import { doHealth, doReady } from './ctl-cmd-health.js';
import { doFleet } from './ctl-cmd-fleet.js';
import { HelpRequested, USAGE, UsageError, VersionRequested, realizeOptions } from './ctl-options.js';
import { versionLine } from './own-version.js';

/** supervisorctl's commands (do_NAME), by name. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['help', doHelp],
  ['EOF', doEOF],
  ['quit', doEOF],
  ['exit', doEOF],
  ['add', doAdd],
  ['avail', doAvail],
  ['clear', doClear],
  ['fg', doFg],
  ['logs', doLogs], // procvisor's own: merged lines of many processes (not in supervisorctl's help list)
  ['maintail', doMaintail],
  ['open', doOpen],
  ['pid', doPid],
  ['reload', doReload],
  ['remove', doRemove],
  ['reread', doReread],
  ['restart', doRestart],
  ['shutdown', doShutdown],
  ['signal', doSignal],
  ['start', doStart],
  ['status', doStatus],
  ['stop', doStop],
  ['tail', doTail],
  ['update', doUpdate],
  ['version', doVersion],
  // procvisor's own, for container health checks and probes.
  ['health', doHealth],
  ['ready', doReady],
  // procvisor's own: the fleet (nodes, programs and processes on etcd) through the JSON API.
  ['fleet', doFleet],
]);

/** Exit status when Ctrl-C interrupts a command that does not handle it (128 + SIGINT). */
const INTERRUPTED_EXIT = 130;

// The interactive shell: `status` first, then one command per line until EOF; Ctrl-C at the
// prompt or in a command ends it with an empty line. Exit status 0 either way, as supervisorctl.
async function runShell(ctl: Controller): Promise<void> {
  const signal = ctl.io.signal;
  const interrupted = new Promise<'interrupt'>((resolve) => {
    if (signal?.aborted) resolve('interrupt');
    signal?.addEventListener('abort', () => resolve('interrupt'), { once: true });
  });
  try {
    let line = 'status';
    for (;;) {
      ctl.handlesInterrupt = false;
      if (await ctl.onecmd(line)) return;
      const next = await Promise.race([ctl.lines.read(`${ctl.options.prompt}> `), interrupted]);
      if (next === 'interrupt') break;
      if (next === null) {
        await ctl.onecmd('EOF');
        return;
      }
      line = next;
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
  }
  ctl.output('');
}

/**
 * Runs supervisorctl with `argv` (without the program name) and resolves with the exit status.
 *
 * @example
 * const code = await main(['-c', 'supervisord.conf', 'status'], { stdout: process.stdout, stderr: process.stderr });
 */
export async function main(argv: readonly string[], io: CtlIo): Promise<number> {
  const progname = io.progname ?? process.argv[1] ?? 'procvisorctl';
  let options;
  try {
    options = realizeOptions(argv, {
      env: io.env ?? process.env,
      cwd: io.cwd ?? process.cwd(),
      progname,
      searchPaths: io.configSearchPaths,
    });
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout.write(`${USAGE.replace(/%s/g, progname)}\n`);
      return 0;
    }
    if (e instanceof VersionRequested) {
      io.stdout.write(`${versionLine('procvisorctl', 'supervisorctl')}\n`);
      return 0;
    }
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`Error: ${e.message}\nFor help, use ${progname} -h\n`);
    return 2;
  }
  const ctl = new Controller(options, io, COMMANDS);
  try {
    if (options.args.length > 0) {
      await ctl.onecmd(options.args.join(' '));
      return ctl.exitstatus;
    }
    await runShell(ctl);
    return 0;
  } catch (e) {
    if (e instanceof Interrupted) return INTERRUPTED_EXIT;
    throw e;
  } finally {
    ctl.close();
    ctl.lines.close();
  }
}

/** Runs main() on the real process: Ctrl-C ends `tail -f` cleanly, the exit status is set. */
export async function runCli(): Promise<void> {
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.on('SIGINT', onSigint);
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      get stdin() {
        return process.stdin; // touched only by the shell and fg
      },
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) await runCli();
