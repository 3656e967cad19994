// Generators (fast-check) for the bad-input suite: supervisord.conf texts, XML-RPC bodies, HTTP
// paths and JSON API requests. Everything a generated request could do to the daemon's protected
// programs (`keep:*`) or to the machine (commands, log paths, process counts) is drawn from safe
// pools: the fuzz targets parsing and validation, not the machine it runs on.
import fc from 'fast-check';
import { PROGRAM_OPTIONS } from '../../src/supervisor/config.js';
import { EXTENSION_INI_KEYS } from '../../src/supervisor/extensions.js';
import { SUPERVISORD_ORDER } from '../../src/config-file/emit.js';
import type { XmlRpcEncodable } from '../../src/xmlrpc/types.js';
import { encodeMethodCall, encodeValue } from '../../src/xmlrpc/encode.js';

// ---- shared pools ----

/** Odd strings: namespecs and names with characters a parser or a path could trip on. */
export const ODD_NAMES = [
  '',
  ' ',
  ':',
  '::',
  '*',
  ':*',
  '*:*',
  'nosuch',
  'nosuch:*',
  'nosuch:nosuch',
  'victim:',
  'victim:*',
  'victim:nosuch',
  'a:b:c',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '/etc/passwd',
  '..',
  '.',
  '%s%n%x',
  '%(program_name)s',
  '${HOME}',
  '$(id)',
  '`id`',
  '; rm -rf /tmp/nothing',
  '<name>',
  '&amp;',
  '"quoted"',
  "it's",
  '\t',
  '\n',
  'line\nbreak',
  'trailing ',
  'é',
  '名前',
  '\u202eevil',
  '😀',
  '\ud800',
  'x'.repeat(300),
  'x'.repeat(70_000),
  'victim\u0000',
  'victim/stdout',
];

/** A name that may be anything but must never address the protected programs. */
export const oddName = fc
  .oneof(fc.constantFrom(...ODD_NAMES), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }))
  .map((s) => (s.startsWith('keep') ? `not-${s}` : s));

const SIGNALS = [
  'HUP',
  'SIGHUP',
  'INT',
  'TERM',
  'KILL',
  'STOP',
  'CONT',
  'USR1',
  'USR2',
  'sigterm',
  'SIG',
  'SIGFOO',
  '0',
  '-1',
  '9999',
  '15',
  '1.5',
  '',
  ' TERM',
  'TERM ',
];

// ---- supervisord.conf texts ----

// Every option a [program:x] section takes: supervisord's, then procvisor's extensions (INI names).
const PROGRAM_KEYS = [...PROGRAM_OPTIONS, ...EXTENSION_INI_KEYS];
const SUPERVISORD_KEYS: readonly string[] = SUPERVISORD_ORDER;
const SERVER_KEYS = ['file', 'chmod', 'chown', 'username', 'password', 'port', 'serverurl', 'prompt', 'history_file'];

/** Values that exercise every parser: numbers, booleans, sizes, signals, expansions, quoting. */
const CONF_VALUES = [
  '',
  ' ',
  '0',
  '1',
  '-1',
  '3',
  '10',
  '1000',
  '999',
  '1001',
  '2147483648',
  '99999999999',
  '1e3',
  '0x10',
  '010',
  '1.5',
  '-0',
  'NaN',
  'inf',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'TRUE',
  'unexpected',
  'maybe',
  '10MB',
  '1GB',
  '5KB',
  '50XB',
  'MB',
  '-1KB',
  '1.5MB',
  'TERM',
  'SIGTERM',
  'KILL',
  '9',
  'SIGFOO',
  '0',
  '65',
  'AUTO',
  'NONE',
  'OFF',
  'syslog',
  '/nonexistent/dir/x.log',
  '%(here)s/x.log',
  '/tmp',
  'sleep 1000',
  '/bin/false',
  "sh -c 'exit 1'",
  'echo "unterminated',
  "echo 'unterminated",
  'a\\',
  '',
  '%(program_name)s',
  '%(process_num)d',
  '%(process_num)02d',
  '%(group_name)s',
  '%(host_node_name)s',
  '%(here)s',
  '%(ENV_HOME)s',
  '%(ENV_NOPE)s',
  '%(program_name)',
  '%(',
  '%',
  '%%',
  '%s',
  '%d',
  '%(process_num)s',
  '%(numprocs)d',
  '%(program_name)s_%(process_num)02d',
  'A="1",B="2"',
  'A=1,B=2',
  'A=',
  '=1',
  'A="unterminated',
  'A=1,,B=2',
  'PATH="/usr/bin",HOME="/x"',
  'A=%(ENV_HOME)s',
  '0,2',
  '0, 1,2',
  'a,b',
  ',',
  '0o22',
  '022',
  '777',
  '0777',
  '8',
  'x',
  'a b c',
  'x'.repeat(5000),
  'é',
  '名前',
  '😀',
  '\u0000',
  '; comment',
  '# comment',
  'value ; inline',
  'value;not-comment',
  'localhost:9001',
  '127.0.0.1:0',
  ':9001',
  '*:9001',
  '9001',
  'host:port',
  '[::1]:9001',
  'unix:///tmp/x.sock',
  'http://127.0.0.1:9001',
  'web:running',
  'web:healthy',
  'web',
  'nosuch:running',
  'a,b:exited',
  '127.0.0.1:80',
  'http://127.0.0.1:1/health',
  '200',
  '200-299',
  'ready$',
  '(a+)+$',
  '[',
  'exponential',
  'linear',
  'fixed',
  'supervisord',
  '8000-8100',
  '9000-8000',
  'PORT',
  '1 2',
];

const confValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CONF_VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const confKey = (keys: readonly string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => k.toUpperCase()) },
  );

/** Values that are valid for a key (so that many generated files parse and reach the later checks). */
function plausible(key: string): string[] {
  if (/^(autostart|stopasgroup|killasgroup|redirect_stderr|nodaemon|silent|nocleanup|strip_ansi)$|_events_enabled$|_syslog$/.test(key))
    return ['true', 'false'];
  if (/maxbytes$/.test(key)) return ['1MB', '0', '1024', '50KB'];
  if (
    /^(numprocs|numprocs_start|priority|startsecs|startretries|stopwaitsecs|minfds|minprocs|max_memory_mb|ready_log_count|ready_timeout|ready_interval)$|_backups$/.test(
      key,
    )
  )
    return ['0', '1', '2', '3', '10'];
  const table: Record<string, string[]> = {
    command: ['sleep 1', '/bin/false %(process_num)d', "sh -c 'exit 0'"],
    process_name: ['%(program_name)s_%(process_num)d', '%(program_name)s', 'p%(process_num)02d'],
    autorestart: ['true', 'false', 'unexpected'],
    exitcodes: ['0', '0,2'],
    stopsignal: ['TERM', 'KILL', 'HUP', 'USR1'],
    umask: ['022', '077'],
    environment: ['A="1",B="2"', 'X=%(ENV_HOME)s'],
    stdout_logfile: ['AUTO', 'NONE', '%(here)s/x.log'],
    stderr_logfile: ['AUTO', 'NONE'],
    logfile: ['%(here)s/s.log'],
    loglevel: ['info', 'debug', 'warn', 'blather'],
    directory: ['/tmp', '%(here)s'],
    childlogdir: ['/tmp', '%(here)s'],
    identifier: ['supervisor', 'x'],
    user: ['root', 'nobody'],
    depends_on: ['a', 'web:running', 'x:exited'],
    backoff: ['exponential', 'supervisord', 'fixed'],
    ready_log: ['ready', '^listening'],
    ready_tcp: ['127.0.0.1:1'],
    port: ['auto', 'true'],
    file: ['%(here)s/s.sock'],
    chmod: ['0700'],
  };
  return table[key] ?? [];
}

/** One `key = value` line, sometimes with a continuation, odd separators or spacing. */
const confLine = (keys: readonly string[]) =>
  confKey(keys)
    .chain((k) => {
      const good = plausible(k);
      return fc.tuple(
        fc.constant(k),
        good.length ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: confValue }) : confValue,
      );
    })
    .chain(([k, v]) =>
      fc.tuple(
        fc.constant(k),
        fc.constant(v),
        fc.constantFrom('=', ' = ', ':', '  =  ', '=', '='),
        fc.option(confValue, { nil: undefined, freq: 8 }),
        fc.constantFrom('', '', '', '', ' ', '\t'),
      ),
    )
    .map(([k, v, sep, cont, lead]) => `${lead}${k}${sep}${v}${cont !== undefined ? `\n    ${cont}` : ''}`);

const sectionName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('web', 'a', 'x', 'worker', 'keep', 'g') },
  { weight: 1, arbitrary: fc.constantFrom('web:1', 'a b', '', 'é', 'a/b', '..') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const confSection = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(sectionName, fc.boolean(), fc.array(confLine(PROGRAM_KEYS), { maxLength: 6 }))
      .map(([n, withCommand, ls]) => [`[program:${n}]`, ...(withCommand ? ['command=sleep 1'] : []), ...ls].join('\n')),
  },
  { weight: 2, arbitrary: fc.array(confLine(SUPERVISORD_KEYS), { maxLength: 6 }).map((ls) => ['[supervisord]', ...ls].join('\n')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(sectionName, fc.array(fc.constantFrom('web', 'a', 'x', 'nosuch', ''), { maxLength: 3 }))
      .map(([n, ps]) => `[group:${n}]\nprograms=${ps.join(',')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[include]\nfiles=inc/*.conf',
      '[include]\nfiles=nosuch/*.conf',
      '[include]\nfiles=',
      '[include]\nfiles=inc/broken.conf',
      '[include]\nfiles=inc/good.conf inc/*.ini',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('unix_http_server', 'inet_http_server', 'supervisorctl'), fc.array(confLine(SERVER_KEYS), { maxLength: 4 }))
      .map(([s, ls]) => [`[${s}]`, ...ls].join('\n')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[rpcinterface:x]\nsupervisor.rpcinterface_factory = nope',
      '[eventlistener:e]\ncommand=sleep 1\nevents=PROCESS_STATE',
      '[fcgi-program:f]\ncommand=sleep 1\nsocket=tcp://127.0.0.1:1',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[program:',
      '[]',
      '[ program:x ]',
      'no section header',
      '[program:x',
      '[[program:x]]',
      '[program:x]\n  indented=1',
      '[program:x]\ncommand',
      '[program:x]\n=value',
      '[DEFAULT]\ncommand=sleep 1',
      '[program:x]\ncommand=sleep 1\ncommand=sleep 2',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })) },
);

/** A whole supervisord.conf: sections separated by newlines (CRLF sometimes), comments between. */
export const confText = fc
  .tuple(
    fc.constantFrom(true, true, true, true, false),
    fc.array(confSection, { minLength: 0, maxLength: 6 }),
    fc.constantFrom('\n', '\n', '\r\n', '\n\n'),
    fc.boolean(),
  )
  .map(([withSupervisord, sections, nl, bom]) =>
    `${bom ? '\ufeff' : ''}${withSupervisord ? '[supervisord]\n' : ''}${sections.join('\n; between\n')}`.replaceAll('\n', nl),
  );

// ---- XML-RPC ----

/** Any XML-RPC value, bounded in size. */
export const xmlValue: fc.Arbitrary<XmlRpcEncodable> = fc.letrec<{ v: XmlRpcEncodable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.boolean(),
    fc.string({ maxLength: 30 }),
    fc.constantFrom(...ODD_NAMES.filter((s) => s.length < 1000 && !/[\u0000\ud800]/.test(s))),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }),
    fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Methods whose valid calls would touch the protected programs or end the daemon. */
const DESTRUCTIVE = new Set([
  'supervisor.shutdown',
  'supervisor.restart',
  'supervisor.stopAllProcesses',
  'supervisor.signalAllProcesses',
  'supervisor.clearLog',
  'supervisor.clearAllProcessLogs',
]);

/**
 * Makes a call safe to send: names addressing `keep` become the sacrificial `victim`, and
 * destructive methods keep only parameter shapes that must fault (wrong arity or type).
 */
export function defuse(method: string, params: XmlRpcEncodable[]): { method: string; params: XmlRpcEncodable[] } | undefined {
  const fix = (v: XmlRpcEncodable): XmlRpcEncodable => (typeof v === 'string' && v.trimStart().toLowerCase().startsWith('keep') ? 'victim' : v);
  let ps = params.map(fix);
  if (method === 'system.multicall') {
    const calls = Array.isArray(ps[0]) ? (ps[0] as XmlRpcEncodable[]) : undefined;
    if (calls) {
      const safe: XmlRpcEncodable[] = [];
      for (const c of calls) {
        if (typeof c !== 'object' || c === null || Array.isArray(c) || Buffer.isBuffer(c) || c instanceof Date) {
          safe.push(c);
          continue;
        }
        const rec = c as Record<string, XmlRpcEncodable>;
        const inner = typeof rec.methodName === 'string' && Array.isArray(rec.params) ? defuse(rec.methodName, rec.params) : { method: '', params: [] };
        if (inner) safe.push({ ...rec, ...(typeof rec.methodName === 'string' ? { methodName: inner.method, params: inner.params } : {}) });
      }
      ps = [safe, ...ps.slice(1)];
    }
  }
  const name = method.replace(/^supervisor\./, '');
  if (DESTRUCTIVE.has(method) || DESTRUCTIVE.has(`supervisor.${method}`)) {
    // shutdown/restart/clearLog/clearAllProcessLogs take no parameter: one makes it fault.
    if (['shutdown', 'restart', 'clearLog', 'clearAllProcessLogs'].includes(name)) return ps.length > 0 ? { method, params: ps } : undefined;
    // stopAllProcesses(wait) accepts any value for wait: only a wrong arity is safe.
    if (name === 'stopAllProcesses') return ps.length > 1 ? { method, params: ps } : undefined;
    // signalAllProcesses(signal): only a signal that is neither a string nor a number.
    if (name === 'signalAllProcesses') return ps.length !== 1 || (typeof ps[0] !== 'string' && typeof ps[0] !== 'number') ? { method, params: ps } : undefined;
  }
  // A group operation on `victim:*` is fine; on the protected group it was rewritten above.
  return { method, params: ps };
}

export const METHOD_NAMES = [
  'supervisor.getAPIVersion',
  'supervisor.getVersion',
  'supervisor.getSupervisorVersion',
  'supervisor.getIdentification',
  'supervisor.getState',
  'supervisor.getPID',
  'supervisor.readLog',
  'supervisor.readMainLog',
  'supervisor.clearLog',
  'supervisor.shutdown',
  'supervisor.restart',
  'supervisor.reloadConfig',
  'supervisor.addProcessGroup',
  'supervisor.removeProcessGroup',
  'supervisor.startProcess',
  'supervisor.startProcessGroup',
  'supervisor.startAllProcesses',
  'supervisor.stopProcess',
  'supervisor.stopProcessGroup',
  'supervisor.stopAllProcesses',
  'supervisor.signalProcess',
  'supervisor.signalProcessGroup',
  'supervisor.signalAllProcesses',
  'supervisor.getAllConfigInfo',
  'supervisor.getProcessInfo',
  'supervisor.getAllProcessInfo',
  'supervisor.readProcessStdoutLog',
  'supervisor.readProcessLog',
  'supervisor.readProcessStderrLog',
  'supervisor.tailProcessStdoutLog',
  'supervisor.tailProcessLog',
  'supervisor.tailProcessStderrLog',
  'supervisor.clearProcessLogs',
  'supervisor.clearProcessLog',
  'supervisor.clearAllProcessLogs',
  'supervisor.sendProcessStdin',
  'supervisor.sendRemoteCommEvent',
  'system.listMethods',
  'system.methodHelp',
  'system.methodSignature',
  'system.multicall',
];

const methodName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHOD_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'supervisor.',
      'system.',
      '.',
      'supervisor._dispatch',
      'supervisor.__proto__',
      'supervisor.constructor',
      'supervisor.hasOwnProperty',
      'system.multicall.x',
      'supervisor.getState.x',
      'SUPERVISOR.GETSTATE',
      'toString',
      '__proto__',
      'supervisor.toString',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `supervisor.${s}`) },
);

/** Parameters for a method: mostly plausible shapes (names, ints, signals), sometimes anything. */
const paramsFor = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        oddName.map((s): XmlRpcEncodable => s),
        fc.oneof(fc.boolean(), fc.integer(), fc.constantFrom(...SIGNALS)),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      )
      .chain(([a, b, c]) => fc.integer({ min: 0, max: 3 }).map((n) => [a, b, c].slice(0, n))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom<XmlRpcEncodable>('victim', 'victim:*', 'victim:victim'),
        fc.oneof(fc.constantFrom(...SIGNALS), fc.boolean(), fc.integer({ min: -3, max: 70 })),
      )
      .map((t) => [...t]),
  },
  { weight: 2, arbitrary: fc.array(xmlValue, { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ methodName: methodName, params: fc.array(xmlValue, { maxLength: 3 }) }), { maxLength: 4 })
      .map((calls): XmlRpcEncodable[] => [calls]),
  },
);

/** A well-formed call with random method and params (defused). */
export const randomCall = fc
  .tuple(methodName, paramsFor)
  .map(([m, p]) => defuse(m, p))
  .filter((c): c is { method: string; params: XmlRpcEncodable[] } => c !== undefined)
  .map((c) => ({ kind: 'random call', body: encodeMethodCall(c.method, c.params) }));

/** A valid document, mutated: truncated, bytes inserted or deleted, tags swapped. */
export const malformedXml = fc
  .tuple(
    fc.constantFrom(
      encodeMethodCall('supervisor.getState'),
      encodeMethodCall('supervisor.getProcessInfo', ['victim']),
      encodeMethodCall('system.multicall', [[{ methodName: 'supervisor.getState', params: [] }]]),
    ),
    fc.array(
      fc.tuple(fc.constantFrom('truncate', 'insert', 'delete', 'dup', 'swap'), fc.nat(), fc.nat({ max: 40 }), fc.string({ unit: 'binary', maxLength: 8 })),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([doc, ops]) => {
    let s = doc;
    for (const [op, at, len, text] of ops) {
      const i = at % (s.length + 1);
      if (op === 'truncate') s = s.slice(0, i);
      else if (op === 'insert') s = s.slice(0, i) + text + s.slice(i);
      else if (op === 'delete') s = s.slice(0, i) + s.slice(i + len);
      else if (op === 'dup') s = s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
      else s = s.replace('<value>', '<valeu>').replace('</params>', '</param>');
    }
    return { kind: 'malformed xml', body: s };
  });

/** Raw value markup a lenient decoder might accept: wrong literals for every type. */
export const badValues = fc
  .tuple(
    fc.constantFrom(
      '<int>abc</int>',
      '<i4>1.5</i4>',
      '<int>99999999999999999999999</int>',
      '<i8>1</i8>',
      '<int></int>',
      '<boolean>2</boolean>',
      '<boolean>yes</boolean>',
      '<double>1e99999</double>',
      '<double>0x10</double>',
      '<dateTime.iso8601>yesterday</dateTime.iso8601>',
      '<dateTime.iso8601>99999999T99:99:99</dateTime.iso8601>',
      '<base64>!!!</base64>',
      '<base64>' + 'A'.repeat(1001) + '</base64>',
      '<nil/>',
      '<struct><member><value>x</value></member></struct>',
      '<struct><member><name>a</name></member></struct>',
      '<array></array>',
      '<array><value>x</value></array>',
      '<array><data><data/></data></array>',
      '<string><b>x</b></string>',
      '<unknown>1</unknown>',
      '<value><value>1</value></value>',
      '<string>&#0;</string>',
      '<string>&#x110000;</string>',
      '<string>&#xD800;</string>',
      '<string>&bogus;</string>',
      '<string>a & b</string>',
      '<string><![CDATA[x]]></string>',
      '<string>]]></string>',
    ),
    fc.constantFrom(...METHOD_NAMES.filter((m) => !DESTRUCTIVE.has(m))),
  )
  .map(([v, m]) => ({
    kind: 'bad value',
    body: `<?xml version="1.0"?><methodCall><methodName>${m}</methodName><params><param><value>${v}</value></param></params></methodCall>`,
  }));

/** Wrong types for every parameter of every method (deterministic list). */
export function wrongTypeCalls(): { kind: string; body: string }[] {
  const wrong: XmlRpcEncodable[] = [42, -1, true, 1.5, 'victim', '', [], ['victim'], {}, { name: 'victim' }, Buffer.from('x'), new Date(0), 'x'.repeat(10_000)];
  const arity: Record<string, number> = {};
  for (const m of METHOD_NAMES) arity[m] = 3;
  const out: { kind: string; body: string }[] = [];
  for (const m of METHOD_NAMES) {
    for (let n = 0; n <= 4; n++) {
      for (let pos = 0; pos < Math.max(1, n); pos++) {
        for (const w of wrong) {
          const params: XmlRpcEncodable[] = Array.from({ length: n }, (_, i) => (i === pos ? w : i === 0 ? 'victim' : 0));
          const c = defuse(m, params);
          if (c) out.push({ kind: 'wrong types', body: encodeMethodCall(c.method, c.params) });
        }
      }
    }
  }
  return out;
}

/** Entity expansion, external entities, DOCTYPE and processing instructions. */
export function entityBodies(): { kind: string; body: string }[] {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 2} "${`&lol${i + 1};`.repeat(10)}">`).join('') +
    ']><methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>';
  const call = (inner: string, pre = '') =>
    `<?xml version="1.0"?>${pre}<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>${inner}</string></value></param></params></methodCall>`;
  return [
    { kind: 'entities', body: laughs },
    { kind: 'entities', body: call('&xxe;', '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>') },
    { kind: 'entities', body: call('&xxe;', '<!DOCTYPE foo [<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;]>') },
    { kind: 'entities', body: call('x', '<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:1/evil.dtd">') },
    { kind: 'entities', body: call('x', '<!doctype methodCall>') },
    { kind: 'entities', body: call('x', '<!DOCTYPE methodCall PUBLIC "-//x//EN" "file:///etc/passwd">') },
    { kind: 'entities', body: call('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;') },
    { kind: 'entities', body: call('&#x0;') },
    { kind: 'entities', body: call('&#1114112;') },
    { kind: 'entities', body: call('&amp') },
    { kind: 'entities', body: call('x', '<?xml-stylesheet href="file:///etc/passwd"?>') },
    { kind: 'entities', body: `<?xml version="1.0" encoding="UTF-16"?>${call('x')}` },
    { kind: 'entities', body: call('<![CDATA[<!ENTITY x "y">]]>') },
    { kind: 'entities', body: `<!-- ${'-'.repeat(10)} -->${call('x')}` },
    { kind: 'entities', body: call('x').replace('<methodCall>', '<methodCall xmlns:x="urn:x" x:a="1">') },
  ];
}

/** Deeply nested arrays/structs: over and under the decoder's depth limit and the 2 MiB cap. */
export function nestedBodies(): { kind: string; body: string; bytes: number }[] {
  const arrays = (depth: number) => `${'<value><array><data>'.repeat(depth)}<value><int>1</int></value>${'</data></array></value>'.repeat(depth)}`;
  const structs = (depth: number) => `${'<value><struct><member><name>a</name>'.repeat(depth)}<value>x</value>${'</member></struct></value>'.repeat(depth)}`;
  const wrap = (v: string, m = 'supervisor.getProcessInfo') =>
    `<?xml version="1.0"?><methodCall><methodName>${m}</methodName><params><param>${v}</param></params></methodCall>`;
  const out = [
    wrap(arrays(50)),
    wrap(arrays(80)),
    wrap(arrays(90)),
    wrap(arrays(300)),
    wrap(arrays(5000)),
    wrap(arrays(60_000)),
    wrap(structs(60)),
    wrap(structs(1000)),
    wrap(structs(40_000)),
    wrap(arrays(80), 'system.multicall'),
    wrap(`<value><array><data>${'<value><int>1</int></value>'.repeat(100_000)}</data></array></value>`),
    `<?xml version="1.0"?>${'<methodCall>'.repeat(100_000)}`,
    `<?xml version="1.0"?><methodCall><methodName>supervisor.getState</methodName><params>${'<param><value>1</value></param>'.repeat(50_000)}</params></methodCall>`,
  ];
  return out.map((body) => ({ kind: 'nested', body, bytes: Buffer.byteLength(body) }));
}

/** Paths that try to leave the log directory or the API: raw, encoded, doubly encoded. */
export const traversalPath = fc
  .tuple(
    fc.constantFrom(
      '/logtail/',
      '/logtail/victim/',
      '/logtail/victim%3Avictim/',
      '/mainlogtail/',
      '/api/processes/',
      '/api/processes/victim/logs/',
      '/api/programs/',
      '/api/run/',
      '/RPC2/',
      '/',
      '/api/',
    ),
    fc.array(
      fc.constantFrom(
        '..',
        '%2e%2e',
        '%2E%2E',
        '..%2f',
        '%2e%2e%2f',
        '..%5c',
        '%252e%252e%252f',
        '....//',
        '..;',
        '%00',
        '%c0%ae%c0%ae',
        'etc',
        'passwd',
        'etc%2fpasswd',
        '%2fetc%2fpasswd',
        'stdout',
        'stderr',
        'victim',
        '.',
        '',
        'proc',
        'self',
        'environ',
      ),
      { minLength: 1, maxLength: 8 },
    ),
    fc.constantFrom('', '/', '/stdout', '/stderr', '?offset=0', '%00.log'),
  )
  .map(([prefix, parts, suffix]) => prefix + parts.join('/') + suffix);

// ---- JSON API ----

/** Program definitions with safe commands, log paths and counts, and wrong types everywhere else. */
const SAFE = {
  command: [
    'sleep 1000',
    '/nonexistent/program',
    '',
    '   ',
    42,
    null,
    true,
    [],
    ['sleep', '1000'],
    [1, 2],
    { a: 1 },
    'echo "unterminated',
    '/nonexistent/%(program_name)s',
    ['/nonexistent/x'],
  ],
  stdout_logfile: ['AUTO', 'NONE', '', 42, null, '/nonexistent/dir/x.log', [], {}],
  stderr_logfile: ['AUTO', 'NONE', '', 7, '/nonexistent/dir/y.log'],
  numprocs: [1, 2, 0, -1, 1001, 1e9, 1.5, '2', null, 'x'],
  directory: ['/tmp', '/nonexistent', '', 1, null],
  user: ['nobody', 'nosuchuser', '', 0, -1, 1.5, null, []],
} as Record<string, unknown[]>;

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, '', 'x', [], {}, '0', 'true', 'AUTO'),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 20 }),
);

const configKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('name', ...PROGRAM_KEYS.filter((k) => !k.startsWith('ready_http'))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty') },
);

export const programBody = fc.dictionary(configKey, jsonish, { maxKeys: 8 }).chain((obj) =>
  fc
    .tuple(
      fc.constantFrom(...(SAFE.command as unknown[])),
      fc.constantFrom(...(SAFE.stdout_logfile as unknown[])),
      fc.constantFrom(...(SAFE.stderr_logfile as unknown[])),
      fc.constantFrom(...(SAFE.numprocs as unknown[])),
      fc.constantFrom(...(SAFE.directory as unknown[])),
      fc.constantFrom(...(SAFE.user as unknown[])),
      oddName,
      fc.boolean(),
    )
    .map(([command, out, err, numprocs, directory, user, name, keepName]) => {
      const o: Record<string, unknown> = { ...obj };
      // The dangerous keys only ever take safe values.
      if ('command' in o || keepName) o.command = command;
      if ('stdout_logfile' in o) o.stdout_logfile = out;
      if ('stderr_logfile' in o) o.stderr_logfile = err;
      if ('numprocs' in o) o.numprocs = numprocs;
      if ('directory' in o) o.directory = directory;
      if ('user' in o) o.user = user;
      for (const k of ['ready_file', 'ready_tcp', 'port', 'port_host', 'environment', 'serverurl']) if (k in o && typeof o[k] === 'string') delete o[k];
      if ('name' in o || keepName) o.name = typeof o.name === 'string' && o.name.startsWith('keep') ? name : keepName ? name : o.name;
      return o;
    }),
);

/** A quick run: safe commands only. */
export const runBody = fc
  .tuple(
    fc.constantFrom('sleep 0.1', '/nonexistent/x', '', 42, null, [], ['sleep', '0.1'], [1], { a: 1 }, 'echo "x'),
    fc.dictionary(fc.constantFrom('directory', 'environment', 'user', 'name', 'timeoutSeconds', 'extra', 'command'), jsonish, { maxKeys: 3 }),
  )
  .map(([command, rest]) => {
    const o: Record<string, unknown> = { ...rest, command };
    if (typeof o.user === 'string') o.user = 'nobody';
    if (typeof o.directory === 'string') o.directory = '/tmp';
    if (typeof o.name === 'string' && o.name.startsWith('keep')) o.name = 'not-keep';
    return o;
  });

const API_PATHS: { method: string; path: (n: string) => string; body: 'program' | 'run' | 'signal' | 'none' | 'any' }[] = [
  { method: 'GET', path: () => '/api/status', body: 'none' },
  { method: 'GET', path: () => '/api/programs', body: 'none' },
  { method: 'POST', path: () => '/api/programs', body: 'program' },
  { method: 'GET', path: (n) => `/api/programs/${n}`, body: 'none' },
  { method: 'PUT', path: (n) => `/api/programs/${n}`, body: 'program' },
  { method: 'PATCH', path: (n) => `/api/programs/${n}`, body: 'program' },
  { method: 'DELETE', path: (n) => `/api/programs/${n}`, body: 'any' },
  { method: 'POST', path: (n) => `/api/programs/${n}/enable`, body: 'any' },
  { method: 'POST', path: (n) => `/api/programs/${n}/disable`, body: 'any' },
  { method: 'POST', path: (n) => `/api/programs/${n}/start`, body: 'any' },
  { method: 'POST', path: (n) => `/api/programs/${n}/stop`, body: 'any' },
  { method: 'POST', path: (n) => `/api/programs/${n}/restart`, body: 'any' },
  { method: 'GET', path: (n) => `/api/processes/${n}`, body: 'none' },
  { method: 'POST', path: (n) => `/api/processes/${n}/start`, body: 'any' },
  { method: 'POST', path: (n) => `/api/processes/${n}/stop`, body: 'any' },
  { method: 'POST', path: (n) => `/api/processes/${n}/restart`, body: 'any' },
  { method: 'POST', path: (n) => `/api/processes/${n}/signal`, body: 'signal' },
  { method: 'GET', path: (n) => `/api/processes/${n}/logs`, body: 'none' },
  { method: 'POST', path: () => '/api/run', body: 'run' },
  { method: 'GET', path: () => '/api/run', body: 'none' },
  { method: 'GET', path: (n) => `/api/run/${n}`, body: 'none' },
  { method: 'DELETE', path: (n) => `/api/run/${n}`, body: 'any' },
  { method: 'GET', path: (n) => `/api/run/${n}/logs`, body: 'none' },
];

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('wait', 'restart', 'offset', 'length', 'stream', 'follow', 'x', ''),
      fc.constantFrom(
        'true',
        'false',
        '0',
        '1',
        '-1',
        '',
        'maybe',
        '99999999999999999999',
        '-99999999',
        '1.5',
        'stderr',
        'stdout',
        'both',
        '%00',
        'x'.repeat(100),
      ),
    ),
    { maxLength: 3 },
  )
  // follow=true streams forever by design; everything else must answer.
  .map((qs) =>
    qs
      .filter(([k, v]) => !(k === 'follow' && (v === 'true' || v === '1')))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&'),
  );

/** Lone surrogates (which cannot be percent-encoded) become U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** A path segment: fully encoded, raw where HTTP allows it (slashes and dots stay), or with `:` raw. */
function encodeSeg(raw: string, how: number): string {
  const s = wellFormed(raw);
  if (how === 0) return encodeURIComponent(s);
  if (how === 1) return s.replace(/[^\u0021-\u007e]|[?#%]/gu, (c) => encodeURIComponent(c));
  return encodeURIComponent(s).replace(/%3A/g, ':');
}

export interface ApiCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export const apiCase: fc.Arbitrary<ApiCase> = fc
  .tuple(
    fc.constantFrom(...API_PATHS),
    fc.oneof({ weight: 4, arbitrary: oddName }, { weight: 1, arbitrary: fc.constantFrom('victim', 'victim:victim', 'victim:*', 'nosuch') }),
    fc.integer({ min: 0, max: 2 }),
    query,
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('default') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'BREW') },
    ),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
          'application/vnd.api+json',
          'multipart/form-data; boundary=x',
          '',
        ),
      },
    ),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<Record<string, string>>({}) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Record<string, string>>(
          { Origin: 'http://evil.example' },
          { Origin: 'null' },
          { 'Sec-Fetch-Site': 'cross-site' },
          { Origin: '::::' },
        ),
      },
    ),
    programBody,
    runBody,
    fc.oneof(fc.constantFrom<unknown>('HUP', 'SIGTERM', 'KILL', 'STOP', 'CONT', 9, -1, 0, 1.5, null, [], {}, 'SIGFOO', 'x'.repeat(1000)), jsonish),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<string | undefined>(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('{', '[1,', 'null', '"x"', '[]', '{"a":', '\u0000', 'not json', '{"__proto__":{"x":1}}', '{"a":1,"a":2}') },
      { weight: 1, arbitrary: jsonish.map((j) => JSON.stringify(j) ?? 'null') },
    ),
  )
  .map(([route, rawName, enc, qs, methodOverride, ctype, extraHeaders, program, run, signal, rawBody]) => {
    const name = rawName.startsWith('keep') ? `not-${rawName}` : rawName;
    const method = methodOverride === 'default' ? route.method : methodOverride;
    let body: string | undefined;
    if (rawBody !== undefined) body = rawBody;
    else if (route.body === 'program') body = JSON.stringify(program);
    else if (route.body === 'run') body = JSON.stringify(run);
    else if (route.body === 'signal') body = JSON.stringify({ signal, ...(typeof signal === 'string' && signal.length === 1 ? { extra: 1 } : {}) });
    else if (route.body === 'any' && enc === 2) body = JSON.stringify(program);
    const headers: Record<string, string> = { ...extraHeaders };
    if (body !== undefined && ctype !== '') headers['Content-Type'] = ctype;
    const path = route.path(encodeSeg(name, enc)) + (qs ? `?${qs}` : '');
    return { kind: 'json api', method, path, headers, ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}) };
  });

export { encodeValue };
