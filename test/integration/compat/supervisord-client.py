# A tiny XML-RPC client for supervisord over a unix socket. One request per stdin line: a socket
# path. Waits for supervisord to answer (up to 10 s), prints one JSON line with
# getAllConfigInfo and getAllProcessInfo, then stops every process so SIGTERM ends supervisord
# quickly.
import json
import sys
import time
from xmlrpc.client import ServerProxy

from supervisor.xmlrpc import SupervisorTransport


def query(sock):
    deadline = time.time() + 10
    last = None
    while time.time() < deadline:
        try:
            proxy = ServerProxy('http://127.0.0.1',
                                transport=SupervisorTransport(None, None, 'unix://' + sock))
            config = proxy.supervisor.getAllConfigInfo()
            info = proxy.supervisor.getAllProcessInfo()
            if any(p['statename'] not in ('STOPPED', 'EXITED', 'FATAL') for p in info):
                proxy.supervisor.stopAllProcesses()
            return {'ok': True, 'config': config, 'processes': info}
        except Exception as e:  # not listening yet
            last = repr(e)
            time.sleep(0.05)
    return {'ok': False, 'error': last}


for line in sys.stdin:
    sock = line.strip()
    if sock:
        print(json.dumps(query(sock)), flush=True)
