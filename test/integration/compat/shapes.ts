// procvisor's reading of a configuration, put in the shapes the real supervisord reports: the
// structs of getAllConfigInfo, and the fields supervisord's option parser keeps.
import { parseUserGroup } from '../../../src/dialect/datatypes.js';
import type { ReadConfigResult } from '../../../src/config-file/config-file.js';
import { comparePy } from '../../../src/dialect/python.js';
import type { ChannelSpec, ProcessSpec } from '../../../src/supervisor/config.js';
import { lookupUser } from '../../../src/dialect/users.js';
import { configInfo } from '../../../src/config-file/config-info.js';

type Struct = Record<string, unknown>;

/** What supervisor.getAllConfigInfo() should return for this configuration. */
export function expectedConfigInfo(conf: ReadConfigResult): Struct[] {
  const rows: Struct[] = conf.specs.flatMap((g) => g.processes.map((p) => configInfo(g, p, true)));
  return rows.sort((a, b) => comparePy(a.name as string, b.name as string));
}

/** supervisord replaces AUTO log names by the files it created; map those back to 'auto'. */
export function normalizeConfigInfo(rows: Struct[], childlogdir: string, identifier: string): Struct[] {
  return rows.map((row) => {
    const out = { ...row };
    for (const ch of ['stdout', 'stderr']) {
      const key = `${ch}_logfile`;
      const v = out[key];
      const prefix = `${childlogdir}/${String(row.name)}-${ch}---${identifier}-`;
      if (typeof v === 'string' && v.startsWith(prefix) && v.endsWith('.log')) out[key] = 'auto';
    }
    return out;
  });
}

function channelFields(prefix: string, c: ChannelSpec): Struct {
  return {
    [`${prefix}_logfile`]: c.logfile,
    [`${prefix}_logfile_maxbytes`]: c.maxbytes,
    [`${prefix}_logfile_backups`]: c.backups,
    [`${prefix}_capture_maxbytes`]: c.capture_maxbytes,
    [`${prefix}_events_enabled`]: c.events_enabled,
    [`${prefix}_syslog`]: c.syslog,
  };
}

/** The fields supervisord's ProcessConfig holds, from our ProcessSpec. */
export function processFields(p: ProcessSpec): Struct {
  return {
    name: p.name,
    uid: p.user === null ? null : (lookupUser(/^\d+$/.test(p.user) ? Number(p.user) : p.user)?.uid ?? -1),
    command: typeof p.command === 'string' ? p.command : p.command.join(' '),
    directory: p.directory,
    umask: p.umask,
    priority: p.priority,
    autostart: p.autostart,
    autorestart: p.autorestart,
    startsecs: p.startsecs,
    startretries: p.startretries,
    stopsignal: p.stopsignal,
    stopwaitsecs: p.stopwaitsecs,
    stopasgroup: p.stopasgroup,
    killasgroup: p.killasgroup,
    exitcodes: p.exitcodes,
    redirect_stderr: p.redirect_stderr,
    environment: p.environment,
    serverurl: p.serverurl === 'AUTO' ? null : p.serverurl,
    ...channelFields('stdout', p.stdout),
    ...channelFields('stderr', p.stderr),
  };
}

/** An fcgi group's socket as the oracle prints it: url, backlog, and for unix sockets mode and owner. */
function socketFields(s: NonNullable<ReadConfigResult['specs'][number]['socket']>): Struct {
  return s.kind === 'unix' ? { url: s.url, backlog: s.backlog, mode: s.mode, owner: s.owner } : { url: s.url, backlog: s.backlog };
}

/** Our reading in the oracle's shape (see supervisord-oracle.py). */
export function oracleShape(conf: ReadConfigResult): Struct {
  const servers: Struct[] = [];
  const i = conf.inet_http_server;
  if (i) servers.push({ family: 'inet', host: i.host, port: i.port, username: i.username ?? null, password: i.password ?? null });
  const u = conf.unix_http_server;
  if (u) {
    const chown = u.chown === undefined ? [-1, -1] : parseUserGroup(u.chown);
    servers.push({ family: 'unix', file: u.file, chmod: u.chmod, chown, username: u.username ?? null, password: u.password ?? null });
  }
  return {
    ok: true,
    supervisord: conf.supervisord,
    groups: conf.specs.map((g) => ({
      name: g.name,
      priority: g.priority,
      processes: g.processes.map(processFields),
      ...(g.socket ? { socket: socketFields(g.socket) } : {}),
    })),
    servers,
    warnings: conf.warnings,
    rpcinterface: (conf.rpcinterface ?? []).map((r) => ({ name: r.name, extras: r.options })),
    serverurl: conf.serverurl,
  };
}

/** The oracle's servers, trimmed to the fields we model (and to the first of each family). */
export function trimServers(servers: Struct[]): Struct[] {
  const out: Struct[] = [];
  for (const family of ['inet', 'unix']) {
    const s = servers.find((x) => x.family === family);
    if (!s) continue;
    const { name: _name, section: _section, ...rest } = s;
    out.push(rest);
  }
  return out;
}
