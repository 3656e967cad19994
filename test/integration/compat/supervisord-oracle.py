# Reads supervisord.conf files with supervisord 4.2.5's own option parser (the code
# `supervisord -c FILE` runs first) and prints, per file, every parsed value as JSON, or the
# message supervisord would print after "Error: ". Input: a JSON list of paths on stdin.
import json
import sys

from supervisor import datatypes, loggers
from supervisor.options import ServerOptions

LEVELS = {getattr(loggers.LevelsByDescription, k): k for k in
          ('critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather')}


def plain(v):
    if v is datatypes.Automatic:
        return 'AUTO'
    if v is datatypes.RestartWhenExitUnexpected:
        return 'unexpected'
    if v is datatypes.RestartUnconditionally:
        return True
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return repr(v)


PROCESS_KEYS = ['name', 'uid', 'command', 'directory', 'umask', 'priority', 'autostart',
                'autorestart', 'startsecs', 'startretries', 'stopsignal', 'stopwaitsecs',
                'stopasgroup', 'killasgroup', 'exitcodes', 'redirect_stderr', 'environment',
                'serverurl'] + [c + '_' + k for c in ('stdout', 'stderr') for k in
                                ('logfile', 'logfile_maxbytes', 'logfile_backups',
                                 'capture_maxbytes', 'events_enabled', 'syslog')]
SUPERVISORD_KEYS = ['minfds', 'minprocs', 'directory', 'user', 'umask', 'logfile',
                    'logfile_maxbytes', 'logfile_backups', 'pidfile', 'identifier', 'nodaemon',
                    'silent', 'childlogdir', 'nocleanup', 'strip_ansi', 'environment']


def read(path):
    options = ServerOptions()

    def usage(msg):
        raise ValueError(msg)

    options.usage = usage
    try:
        options.realize(args=['-c', path])
    except ValueError as e:
        return {'ok': False, 'error': str(e)}
    section = options.configroot.supervisord
    sup = {k: plain(getattr(section, k)) for k in SUPERVISORD_KEYS}
    sup['loglevel'] = LEVELS.get(section.loglevel)
    groups = []
    for g in options.process_group_configs:
        groups.append({
            'name': g.name,
            'priority': g.priority,
            'processes': [{k: plain(getattr(p, k)) for k in PROCESS_KEYS} for p in g.process_configs],
        })
        sc = getattr(g, 'socket_config', None)
        if sc is not None:
            socket = {'url': sc.url, 'backlog': sc.backlog}
            if sc.url.startswith('unix://'):
                socket['mode'] = sc.mode
                socket['owner'] = plain(sc.owner)
            groups[-1]['socket'] = socket
    servers = []
    for s in options.server_configs:
        d = {k: plain(v) for k, v in s.items() if k != 'family'}
        d['family'] = 'unix' if s['family'] == __import__('socket').AF_UNIX else 'inet'
        servers.append(d)
    rpc = [{'name': n, 'extras': plain(e)} for n, _f, e in section.rpcinterface_factories]
    return {'ok': True, 'supervisord': sup, 'groups': groups, 'servers': servers,
            'warnings': options.parse_warnings, 'rpcinterface': rpc,
            'serverurl': options.serverurl}


paths = json.load(sys.stdin)
json.dump([read(p) for p in paths], sys.stdout)
