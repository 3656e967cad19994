# Regenerates the expected-value tables of test/unit/compat from supervisord 4.2.5 itself:
#   /usr/bin/python3 test/unit/compat/tables/generate.py
# Each table lists inputs and what supervisor.datatypes / supervisor.options (Python 3.11) return
# for them: {"ok": value} or {"err": message}.
import json
import os
import sys
import tempfile

from supervisor import datatypes
from supervisor.options import UnhosedConfigParser, expand

HERE = os.path.dirname(os.path.abspath(__file__))


def run(fn, arg, conv=lambda v: v):
    try:
        return {'ok': conv(fn(arg))}
    except Exception as e:  # supervisord turns every ValueError into its message
        return {'err': str(e)}


def autorestart(v):
    if v is datatypes.RestartWhenExitUnexpected:
        return 'unexpected'
    if v is datatypes.RestartUnconditionally:
        return True
    return v


def table(fn, inputs, conv=lambda v: v):
    return [[s, run(fn, s, conv)] for s in inputs]


datatypes_tables = {
    'boolean': table(datatypes.boolean, ['true', 'TRUE', 'yes', 'On', '1', 'false', 'No', 'OFF', '0', 'y', ' true', '', '2', 'truE ']),
    'integer': table(datatypes.integer, ['0', '-5', '+7', ' 42 ', '1_000', '1__0', '_1', '1.5', '', '\u0663', '0007', '1e3', '0x10',
                                         '\u20031', '\x1c1', '1\x85', '\ufeff1', 'x' * 210, '\U0001D7D9\U0001D7D8', '-0', '+ 1', '1 2']),
    'byte_size': table(datatypes.byte_size, ['1024', '10KB', '10kb', '50MB', '1GB', '10 MB', '1K', '1k', 'KB', '-1', '1.5MB',
                                             ' 10MB ', '10 mb', '1gB', '0', 'mb', '1_0kb', 'kbkb']),
    'exitcodes': table(datatypes.list_of_exitcodes, ['0', '0,2', '', ' ', '0,,1', '0,256', '-1', ' 1 , 2,3', '255', 'a', '1_0', '0,']),
    'octal': table(datatypes.octal_type, ['022', '22', '0o22', '0O7', '8', '0x1', '', '-022', '+7', '0_7', '999', ' 7 ', '0o_7', '0b1']),
    'autorestart': table(datatypes.auto_restart, ['true', 'false', 'unexpected', 'UNEXPECTED', 'sometimes', 'Yes', '0', 'SomeTimes'], autorestart),
    'name': table(datatypes.process_or_group_name, ['web', ' padded ', 'my prog', 'a:b', 'a/b', '', "it's", ' a b ', '\tx\t', 'a\tb', '\x1cx']),
    'environment': table(datatypes.dict_of_key_value_pairs, [
        'A=1,B="x,y",C=\'q\'', 'K5 = "spaced"', 'A="",B=\'\'', 'A=1,', 'A=', 'A', 'A=hello world', 'X=a@b',
        'A="say \\"hi\\""', 'A="x', 'PATH=/usr/bin:/bin,X=a.b+c-d(e)', 'A=x#c\nB=2', ',A=1', 'A=1;B=2', 'A="\'x\'"',
        'A=a"b', '"A"=1', 'A=1 B=2', 'A=1\n,B=2', '@=1', 'A=1,,B=2', 'A = 1 , B = 2', 'A=#x\n1', 'A="multi\nline"',
        'A=\t1', 'A=1\x0bB=2', 'é=1', 'A=é']),
    'signal': table(datatypes.signal_number, ['TERM', 'sigterm', ' usr1 ', '9', 'RTMIN', 'IOT', '0', 'SIGRTMAX', 'cld', 'POLL',
                                              '_ign', '_DFL', '+15', '32', '99', 'FOO', '-1', 'SIGFOO', '1_5', "it's", ' 15 ', 'sig_setmask']),
    'loglevel': table(datatypes.logging_level, ['info', 'DEBUG', 'warn', 'warning', 'blather', 'Critical', 'x']),
    'inet_address': table(datatypes.inet_address, ['9001', '127.0.0.1:9001', '*:9001', ':9001', 'HOST:80', 'x:', 'abc', '0',
                                                    '65536', 'h:0', 'h:abc', 'a:b:9']),
}

NAMES = {'ENV_HOME': '/root', 'ENV_X': 'ex', 'here': '/etc/sv', 'program_name': 'prog', 'host_node_name': 'node',
         'group_name': 'grp', 'process_num': 7, 'numprocs': 3, 'neg': -12, 'zero': 0, 'big': 12345678901,
         'q': "it's", 'qq': 'say "hi"', 'u': '\u00e9\u00a0\U0001F600\x7f', 'ch': 'x', 'empty': '', 'a(b)c': 'nested',
         'cp': 65}
FORMATS = [
    'plain', '%%', '100%%', '%', 'x%', '%(program_name)s', '%(process_num)02d', '%(process_num)d/%(numprocs)d',
    '%(nosuch)s', '%(q)s %(nosuch2)s', 'date +%Y', 'date +%s', '%s %s', '%(program_name)s %s', '%s %(program_name)s',
    '%(here)s/%(program_name)s.log', '%(program_name)', '%(program_name', '%(a(b)c)s', '%(a(b)s', '%*s', '%(process_num)*d',
    '%.*s', '%(process_num)hd', '%(process_num)lld', '%(process_num)5.2f', '%(process_num)x', '%(process_num)#x',
    '%(process_num)#o', '%(process_num)X', '%(cp)c', '%(ch)c', '%(q)c', '%(big)c', '%(neg)c', '%(q)r', '%(qq)r', '%(u)r',
    '%(u)a', '%(u)s', '%(q)a', '%(process_num)e', '%(big)e', '%(big)g', '%(process_num)g', '%(process_num)#g', '%(zero)g',
    '%(zero)e', '%(neg)05d', '%(neg)x', '%(neg)-6d|', '%(process_num)-05d|', '%(process_num)+d', '%(process_num) d',
    '%(process_num) +d', '%(program_name)10s|', '%(program_name)-10s|', '%(program_name).2s', '%(program_name)010s|',
    '%(program_name)d', '%(program_name)x', '%(program_name)f', '%(process_num)%', '%5%', '%(process_num)', '%(process_num).',
    '%(process_num).x', '%(process_num).3d', '%(process_num)10.3d|', '%(neg)+.3d', '%(process_num)#05x', '%(process_num)-#5X|',
    '%(process_num).0e', '%(process_num)#.0e', '%(process_num).0f', '%(process_num)#.0f', '%(big).3g', '%(big)f',
    '%(process_num)i %(process_num)u', '%(program_name)\u00e9', '%(program_name)\n', '%(program_name) ', 'x\U0001F600%Y',
    '%(empty)s|%(empty)5s|', '%()s', '%(program_name)99999999999999999999s', '%(program_name).99999999999999999999s',
    '%(ENV_X)s%(ENV_HOME)s', '%(process_num)c%(numprocs)c', '%d', '%x', '%e', '%c', '%r', '%a', '%(process_num)r',
    '%(big)x', '%(neg)#o', '%(process_num)G', '%(big)E', '%(process_num)F', '%(q)5.1s|', '%-s', '% s', '%0s',
]
expand_table = [[f, run(lambda s: expand(s, dict(NAMES), 'program:x.command'), f)] for f in FORMATS]

INI_TEXTS = [
    '[a]\nk=v\n',
    '[a]\nk = v ; comment\nj=v;not\nm=v #c\nn=v#not\n',
    '[a]\ncommand=echo a;b ;c #d\n',
    '[a]\ncommand=echo a#b #c ;d\n',
    '[a]\nk=x\t;tabbed\n',
    '[a]\nk: v\nj: a=b\nl= a:b\n',
    '[a]\nK=1\nk=2\nKey With Spaces = 3\n',
    '[a]\nk=sleep\n  1000\n',
    '[a]\nk=echo\n  one\n# c\n  two\n\n',
    '[a]\nk=echo\n\n  one\n\n\n  two\n\n\nj=1\n',
    '[a]\n  k = v\n    cont\n  j = w\n',
    '[a]\nk=v\n  [b]\nj=w\n',
    '[a]\nk=1\n[b]\nk=2\n[a]\nk=3\nl=4\n',
    '[DEFAULT]\nk=d\nx=1\n[a]\nk=v\n[b]\n',
    '[a]\nk=\n',
    '[a]\nbroken line\nk=v\n=v\n  more\n',
    'k=v\n[a]\n',
    '; comment\n# comment\n\n[a]\nk=v\n',
    '[a] trailing\nk=v\n',
    '[a]b]\nk=v\n',
    '[]\n',
    '[ a ]\nk=v\n',
    '[a]\r\nk=v\r\nj=w\rl=x\n',
    '[a]\nk=v',
    '\ufeff[a]\n',
    '[a]\nk=v ;\n;\n',
    '[a]\nk=\u00e9\u00a0;x\n',
    '[a]\nk=a\u3000#c\n',
    '[a]\nk=v\n\t\n  w\n',
    '[a]\nk=\n  first\n',
    '[a]\n;k=v\n  #j=w\n',
    '[a]\nk==v\nj=:v\n',
    '[a]\n  \n k=v\n',
    '[a]\nk=v\n \x0c\n  w\n',
]


def read_ini(text):
    # Through a real file: supervisord opens files in text mode (universal newlines).
    p = UnhosedConfigParser()
    with tempfile.NamedTemporaryFile('w', encoding='utf-8', newline='', delete=False) as f:
        f.write(text)
    try:
        with open(f.name, 'r', encoding='utf-8') as fp:
            p.read_file(fp, '<test>')
    except Exception as e:
        return {'err': str(e)}
    finally:
        os.unlink(f.name)
    return {'ok': {'defaults': dict(p._defaults), 'sections': {s: dict(p._sections[s]) for s in p.sections()}}}


ini_table = [[t, read_ini(t)] for t in INI_TEXTS]

for name, data in [('datatypes', datatypes_tables), ('expand', {'names': NAMES, 'cases': expand_table}), ('ini', ini_table)]:
    with open(os.path.join(HERE, name + '.json'), 'w') as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write('\n')
