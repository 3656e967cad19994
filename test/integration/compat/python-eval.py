# Evaluates inputs with supervisord 4.2.5's own functions, for randomized differential tests.
# stdin: {"names": {...}, "cases": [[kind, input], ...]}; stdout: [{"ok": v} | {"err": msg}, ...].
import json
import os
import sys
import tempfile

from supervisor import datatypes
from supervisor.dispatchers import stripEscapes
from supervisor.options import UnhosedConfigParser, expand


def read_ini(text):
    p = UnhosedConfigParser()
    with tempfile.NamedTemporaryFile('w', encoding='utf-8', newline='', delete=False) as f:
        f.write(text)
    try:
        with open(f.name, 'r', encoding='utf-8') as fp:
            p.read_file(fp, '<test>')
    finally:
        os.unlink(f.name)
    return {'defaults': dict(p._defaults), 'sections': {s: dict(p._sections[s]) for s in p.sections()}}


def autorestart(v):
    r = datatypes.auto_restart(v)
    return {datatypes.RestartWhenExitUnexpected: 'unexpected', datatypes.RestartUnconditionally: True}.get(r, r)


request = json.load(sys.stdin)
names = request['names']
FUNCS = {
    'format': lambda s: expand(s, dict(names), 'program:x.command'),
    'ini': read_ini,
    'integer': datatypes.integer,
    'byte_size': datatypes.byte_size,
    'environment': datatypes.dict_of_key_value_pairs,
    'signal': lambda s: int(datatypes.signal_number(s)),
    'boolean': datatypes.boolean,
    'octal': datatypes.octal_type,
    'exitcodes': datatypes.list_of_exitcodes,
    'name': datatypes.process_or_group_name,
    'autorestart': autorestart,
    'strip_ansi': lambda s: stripEscapes(s.encode('latin1')).decode('latin1'),
}
out = []
for kind, value in request['cases']:
    try:
        out.append({'ok': FUNCS[kind](value)})
    except Exception as e:
        out.append({'err': str(e)})
json.dump(out, sys.stdout)
