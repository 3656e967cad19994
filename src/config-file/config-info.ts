// supervisord's getAllConfigInfo struct for one process: AUTO logs as 'auto' (or the file once
// created), unset values as 'none', the stop signal as its number.
import type { ChannelSpec, GroupSpec, ProcessSpec } from '../supervisor/config.js';
import { lookupUser } from '../dialect/users.js';

export type ConfigInfo = Record<string, string | number | boolean | number[]>;

function uidOf(p: ProcessSpec): number | null {
  return p.user === null ? null : (lookupUser(/^\d+$/.test(p.user) ? Number(p.user) : p.user)?.uid ?? -1);
}

function channelInfo(prefix: 'stdout' | 'stderr', c: ChannelSpec, actual: string | undefined): ConfigInfo {
  return {
    [`${prefix}_capture_maxbytes`]: c.capture_maxbytes,
    [`${prefix}_events_enabled`]: c.events_enabled,
    [`${prefix}_logfile`]: c.logfile === null ? 'none' : c.logfile === 'AUTO' ? (actual ?? 'auto') : c.logfile,
    [`${prefix}_logfile_backups`]: c.backups,
    [`${prefix}_logfile_maxbytes`]: c.maxbytes,
    [`${prefix}_syslog`]: c.syslog,
  };
}

/**
 * One row of `supervisor.getAllConfigInfo()`. `logfiles` gives the created AUTO log paths of an
 * active process (supervisord reports those instead of 'auto').
 */
export function configInfo(g: GroupSpec, p: ProcessSpec, inuse: boolean, logfiles: { stdout?: string; stderr?: string } = {}): ConfigInfo {
  const uid = uidOf(p);
  return {
    autostart: p.autostart,
    directory: p.directory ?? 'none',
    uid: uid ?? 'none',
    command: typeof p.command === 'string' ? p.command : p.command.join(' '),
    exitcodes: [...p.exitcodes],
    group: p.group,
    group_prio: g.priority,
    inuse,
    killasgroup: p.killasgroup,
    name: p.name,
    process_prio: p.priority,
    redirect_stderr: p.redirect_stderr,
    startretries: p.startretries,
    startsecs: p.startsecs,
    ...channelInfo('stdout', p.stdout, logfiles.stdout),
    stopsignal: p.stopsignal,
    stopwaitsecs: p.stopwaitsecs,
    ...channelInfo('stderr', p.stderr, logfiles.stderr),
    serverurl: p.serverurl === 'AUTO' || p.serverurl === null ? 'none' : p.serverurl,
  };
}
