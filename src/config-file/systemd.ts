// systemd units from the same program definitions: one unit that runs the procvisor daemon, and one
// unit per process for fleets that run the programs under systemd directly.
import type { GroupSpec, ProcessSpec } from '../supervisor/config.js';
import { resolveCommand } from '../supervisor/command.js';
import { signalName } from '../supervisor/signals.js';

/** Quotes one argv word the way systemd's ExecStart= parses it. */
export function systemdQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$').replace(/\n/g, '\\n')}"`;
}

function envLine(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`);
}

/** A safe unit name for a process: `procvisor-<group>-<name>.service`. */
export function unitName(spec: Pick<ProcessSpec, 'group' | 'name'>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9:_.\\-]/g, '_');
  return spec.group === spec.name ? `procvisor-${clean(spec.name)}.service` : `procvisor-${clean(spec.group)}-${clean(spec.name)}.service`;
}

/**
 * One `.service` unit for one process. `argv` is the resolved command (see resolveCommand).
 * Mapping: autorestart true/unexpected/false → Restart=always/on-failure/no (exitcodes →
 * SuccessExitStatus), stopsignal → KillSignal, stopwaitsecs → TimeoutStopSec, stopasgroup →
 * KillMode=control-group (else mixed: the signal to the main process, SIGKILL to all), startsecs →
 * a start limit of startretries+1 starts.
 */
export function processUnit(spec: ProcessSpec, argv: readonly string[]): string {
  const restart = spec.autorestart === true ? 'always' : spec.autorestart === 'unexpected' ? 'on-failure' : 'no';
  const lines = [
    '[Unit]',
    `Description=procvisor program ${spec.group === spec.name ? spec.name : `${spec.group}:${spec.name}`}`,
    'After=network.target',
    `StartLimitIntervalSec=${Math.max(10, (spec.startretries + 1) * Math.max(1, spec.startsecs) * 2)}`,
    `StartLimitBurst=${spec.startretries + 1}`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${argv.map(systemdQuote).join(' ')}`,
    `Restart=${restart}`,
    'RestartSec=1',
  ];
  if (spec.exitcodes.length && !(spec.exitcodes.length === 1 && spec.exitcodes[0] === 0)) lines.push(`SuccessExitStatus=${spec.exitcodes.join(' ')}`);
  lines.push(`KillSignal=${signalName(spec.stopsignal)}`, `TimeoutStopSec=${spec.stopwaitsecs}`, `KillMode=${spec.stopasgroup ? 'control-group' : 'mixed'}`);
  if (spec.directory) lines.push(`WorkingDirectory=${spec.directory}`);
  if (spec.user) lines.push(`User=${spec.user}`);
  if (spec.umask !== null) lines.push(`UMask=${spec.umask.toString(8).padStart(4, '0')}`);
  lines.push(...envLine({ SUPERVISOR_ENABLED: '1', SUPERVISOR_PROCESS_NAME: spec.name, SUPERVISOR_GROUP_NAME: spec.group, ...spec.environment }));
  const out = (c: 'stdout' | 'stderr') => {
    const f = spec[c].logfile;
    if (c === 'stderr' && spec.redirect_stderr) return 'StandardError=inherit';
    const key = c === 'stdout' ? 'StandardOutput' : 'StandardError';
    return f === null ? `${key}=null` : f === 'AUTO' ? `${key}=journal` : `${key}=append:${f}`;
  };
  lines.push(out('stdout'), out('stderr'), '', '[Install]', 'WantedBy=multi-user.target', '');
  return lines.join('\n');
}

/**
 * The unit that runs the procvisor daemon on a configuration file. Type=notify: procvisor sends
 * READY=1 once autostart has settled (RELOADING=1/READY=1 around a reload, STOPPING=1 at
 * shutdown, WATCHDOG=1 when the unit sets WatchdogSec=). The messages leave through a small helper
 * process of the daemon, hence NotifyAccess=all rather than main.
 */
export function daemonUnit(options: { configPath: string; execPath?: string; procvisorBin: string; user?: string }): string {
  const exec = [options.execPath ?? process.execPath, options.procvisorBin, '-n', '-c', options.configPath];
  return [
    '[Unit]',
    'Description=procvisor process supervisor',
    'After=network.target',
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    `ExecStart=${exec.map(systemdQuote).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=60',
    'Restart=on-failure',
    ...(options.user ? [`User=${options.user}`] : []),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * Units for every process of `groups` (e.g. `readSupervisordConfig(path).specs`), keyed by file
 * name. Commands are resolved as procvisor would run them (PATH of the program's environment).
 */
export function toSystemdUnits(groups: readonly GroupSpec[], pathEnv = process.env.PATH): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of groups) {
    for (const p of g.processes) {
      const cmd = resolveCommand(p.command, p.environment.PATH ?? pathEnv);
      out[unitName(p)] = processUnit(p, [cmd.file, ...cmd.argv.slice(1)]);
    }
  }
  return out;
}
