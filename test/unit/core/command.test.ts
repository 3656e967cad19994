// Command splitting and resolution (docs/semantics.md#spawn-errors): POSIX shell-like words, PATH
// search, and the exact spawn-error texts with the fault an explicit start maps them to.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadCommandError, resolveCommand, splitCommand } from '../../../src/supervisor/command.js';

describe('splitCommand (shlex.split, POSIX mode)', () => {
  const rows: [string, string[]][] = [
    ['sleep 1000', ['sleep', '1000']],
    ['  sleep\t 1000  ', ['sleep', '1000']],
    ['sleep\n1000', ['sleep', '1000']],
    [`sh -c 'sleep 1001 & sleep 1002 & wait'`, ['sh', '-c', 'sleep 1001 & sleep 1002 & wait']],
    [`sh -c "exit 3"`, ['sh', '-c', 'exit 3']],
    [`echo "a \\"q\\" b"`, ['echo', 'a "q" b']],
    [`echo "back\\\\slash" "keep\\n"`, ['echo', 'back\\slash', 'keep\\n']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo 'it''s'`, ['echo', 'its']],
    [`echo '' ""`, ['echo', '', '']],
    [`echo x;y#z`, ['echo', 'x;y#z']],
    [`echo $HOME *`, ['echo', '$HOME', '*']],
    ['', []],
    ['   ', []],
  ];
  for (const [cmd, want] of rows) it(JSON.stringify(cmd), () => expect(splitCommand(cmd)).toEqual(want));

  it('an unbalanced quote is "No closing quotation"', () => {
    expect(() => splitCommand('echo "unterminated')).toThrow('No closing quotation');
    expect(() => splitCommand("bash -c 'foo")).toThrow('No closing quotation');
  });
});

describe('resolveCommand', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'procvisor-cmd-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'bin', 'tool'), 0o755);
    writeFileSync(join(dir, 'plain.txt'), 'data\n');
    chmodSync(join(dir, 'plain.txt'), 0o644);
    mkdirSync(join(dir, 'adir'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fails = (command: string | string[], path: string | undefined, fault: 'NO_FILE' | 'NOT_EXECUTABLE', message: string) => {
    let err: unknown;
    try {
      resolveCommand(command, path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadCommandError);
    expect((err as BadCommandError).fault).toBe(fault);
    expect((err as BadCommandError).message).toBe(message);
  };

  it('a word with a slash is used as given', () => {
    expect(resolveCommand('/bin/sh -c true', undefined)).toEqual({ file: '/bin/sh', argv: ['/bin/sh', '-c', 'true'] });
  });

  it("a bare word is searched in the PATH given (the program environment's first)", () => {
    expect(resolveCommand('tool --x', `/nonexistent:${join(dir, 'bin')}`)).toEqual({ file: join(dir, 'bin', 'tool'), argv: ['tool', '--x'] });
  });

  it('without a PATH it searches /bin:/usr/bin:/usr/local/bin', () => {
    const r = resolveCommand('sleep 1', undefined);
    expect(['/bin/sleep', '/usr/bin/sleep', '/usr/local/bin/sleep']).toContain(r.file);
    expect(r.argv).toEqual(['sleep', '1']);
  });

  it('an argv array is taken verbatim', () => {
    expect(resolveCommand(['/bin/sh', '-c', 'echo "a b"'], undefined)).toEqual({ file: '/bin/sh', argv: ['/bin/sh', '-c', 'echo "a b"'] });
  });

  it("not found -> NO_FILE `can't find command 'X'`", () => {
    fails('/nonexistent/cmd --x', undefined, 'NO_FILE', "can't find command '/nonexistent/cmd'");
    fails('nosuchprogram-xyz', '/bin:/usr/bin', 'NO_FILE', "can't find command 'nosuchprogram-xyz'");
    // tool exists, but not on this PATH
    fails('tool', '/bin', 'NO_FILE', "can't find command 'tool'");
  });

  it('quotes the name like Python repr()', () => {
    fails(`"/no/it's"`, undefined, 'NO_FILE', `can't find command "/no/it's"`);
  });

  it("a directory -> NOT_EXECUTABLE `command at 'X' is a directory`", () => {
    fails(join(dir, 'adir'), undefined, 'NOT_EXECUTABLE', `command at '${join(dir, 'adir')}' is a directory`);
  });

  it("no execute bit -> NOT_EXECUTABLE `command at 'X' is not executable`", () => {
    fails('/etc/passwd', undefined, 'NOT_EXECUTABLE', "command at '/etc/passwd' is not executable");
    fails(join(dir, 'plain.txt'), undefined, 'NOT_EXECUTABLE', `command at '${join(dir, 'plain.txt')}' is not executable`);
  });

  it.skipIf(process.getuid?.() === 0)('execute bit for someone else only -> `no permission to run command`', () => {
    const f = join(dir, 'others-only');
    writeFileSync(f, '#!/bin/sh\n');
    chmodSync(f, 0o601);
    fails(f, undefined, 'NOT_EXECUTABLE', `no permission to run command '${f}'`);
  });

  it("unparsable -> NOT_EXECUTABLE `can't parse command 'CMD': REASON`", () => {
    fails('echo "unterminated', undefined, 'NOT_EXECUTABLE', `can't parse command 'echo "unterminated': No closing quotation`);
  });

  it('no words -> NOT_EXECUTABLE `command is empty`', () => {
    fails('', undefined, 'NOT_EXECUTABLE', 'command is empty');
    fails('  ', undefined, 'NOT_EXECUTABLE', 'command is empty');
    fails([], undefined, 'NOT_EXECUTABLE', 'command is empty');
  });
});
