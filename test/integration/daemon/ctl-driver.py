# The stock supervisorctl's main(), run once per request in one long-lived Python process (a
# supervisorctl start-up costs ~0.25 s of CPU; the daemon suites send a few hundred commands).
# Reads JSON lines {"args": [...]} and answers each with {"code", "stdout", "stderr"}, exactly what
# `supervisorctl ARGS...` would have printed and exited with.
import contextlib
import io
import json
import sys
import traceback

from supervisor import supervisorctl

for line in sys.stdin:
    request = json.loads(line)
    out = io.StringIO()
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            supervisorctl.main(args=request['args'])
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                err.write('%s\n' % (e.code,))
                code = 1
        except BaseException:
            traceback.print_exc()
            code = -2
    sys.__stdout__.write(json.dumps({'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\n')
    sys.__stdout__.flush()
