// The JSON API's programs as supervisord configuration files: one file per program, written
// atomically (a kill -9 during writes leaves the old or the new file, never a torn one), read back
// after a restart, edits by hand seen, the rest of the configuration listed read-only, and the
// files run unchanged under the real supervisord.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTemporaryName } from '../../../src/config-file/atomic-write.js';
import { ProgramDirStore, programFileText, readProgramFile } from '../../../src/config-file/program-dir-store.js';
import type { ProgramConfig } from '../../../src/supervisor/config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'program-dir-store-'));
  dirs.push(d);
  return d;
}

const WEB: ProgramConfig = {
  name: 'web',
  command: ['node', 'server.js', 'a b'],
  environment: { PORT: '3000', GREETING: 'hello world' },
  startsecs: 2,
  autostart: false,
  stopsignal: 'INT',
};

describe('ProgramDirStore', () => {
  it('put writes one supervisord file per program; get gives the definition as given; a new store (restart) reads it back', () => {
    const dir = tempDir();
    const store = new ProgramDirStore({ dir });
    store.put({ name: 'web', enabled: true, config: WEB });
    expect(readdirSync(dir)).toEqual(['web.conf']);
    const text = readFileSync(join(dir, 'web.conf'), 'utf8');
    expect(text).toMatch(/^; Program "web", managed by procvisor's JSON API/);
    expect(text).toContain("[program:web]\ncommand=node server.js 'a b'\n");
    expect(store.get('web')).toMatchObject({ name: 'web', enabled: true, config: WEB });
    const again = new ProgramDirStore({ dir });
    const read = again.get('web')!;
    expect(read).toMatchObject({
      name: 'web',
      enabled: true,
      config: { name: 'web', command: "node server.js 'a b'", startsecs: 2, autostart: false, stopsignal: 'INT' },
    });
    expect(again.list().map((p) => p.name)).toEqual(['web']);
  });

  it('disabled programs keep their file with a section supervisord ignores; enabling restores [program:x]', () => {
    const dir = tempDir();
    const store = new ProgramDirStore({ dir });
    store.put({ name: 'web', enabled: false, config: WEB });
    expect(readFileSync(join(dir, 'web.conf'), 'utf8')).toContain('[procvisor-disabled:web]\n');
    expect(new ProgramDirStore({ dir }).get('web')?.enabled).toBe(false);
    store.put({ name: 'web', enabled: true, config: WEB });
    expect(readFileSync(join(dir, 'web.conf'), 'utf8')).toContain('[program:web]\n');
    expect(new ProgramDirStore({ dir }).get('web')?.enabled).toBe(true);
    expect(store.delete('web')).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(store.delete('web')).toBe(false);
  });

  it('an edit by hand is what the store reads', () => {
    const dir = tempDir();
    const store = new ProgramDirStore({ dir });
    store.put({ name: 'web', enabled: true, config: WEB });
    const file = join(dir, 'web.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('startsecs=2', 'startsecs=7'));
    expect(store.get('web')?.config).toMatchObject({ startsecs: 7 });
  });

  it('the rest of the configuration is listed read-only and never written', () => {
    const dir = tempDir();
    const store = new ProgramDirStore({
      dir,
      external: () => [{ name: 'db', config: { name: 'db', command: 'postgres' }, file: '/etc/supervisor/conf.d/db.conf' }],
    });
    store.put({ name: 'web', enabled: true, config: WEB });
    expect(store.list().map((p) => [p.name, p.readOnly ?? false])).toEqual([
      ['web', false],
      ['db', true],
    ]);
    expect(() => store.put({ name: 'db', enabled: true, config: { name: 'db', command: 'evil' } })).toThrow(
      /program db is defined in \/etc\/supervisor\/conf.d\/db.conf, not by the API/,
    );
    expect(() => store.delete('db')).toThrow(/not by the API/);
  });

  it('a definition supervisord cannot spell is refused before anything is written', () => {
    const dir = tempDir();
    const store = new ProgramDirStore({ dir });
    expect(() => store.put({ name: 'web', enabled: true, config: { ...WEB, startsecs: 1.5 } })).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});

const DIST_ATOMIC = resolve(import.meta.dirname, '../../../dist/config-file/atomic-write.js');
const HAVE_DIST = existsSync(DIST_ATOMIC);
if (!HAVE_DIST) console.warn('NOTICE: dist/ missing (run `npm run build`): the kill -9 test of atomic writes is skipped');

describe.skipIf(!HAVE_DIST)('kill -9 during writes', () => {
  it('leaves the old or the new file, never a torn one; leftovers are temporary files the store removes', async () => {
    const dir = tempDir();
    const file = join(dir, 'web.conf');
    // Two versions of different lengths (the larger one spans several pages).
    const a = programFileText('web', { ...WEB, environment: { BIG: 'a'.repeat(20_000) } }, true);
    const b = programFileText('web', { ...WEB, startsecs: 9 }, false);
    writeFileSync(join(dir, 'a.txt'), a);
    writeFileSync(join(dir, 'b.txt'), b);
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(DIST_ATOMIC)});
      const fs = await import('node:fs');
      const texts = [fs.readFileSync(process.argv[1] + '/a.txt', 'utf8'), fs.readFileSync(process.argv[1] + '/b.txt', 'utf8')];
      writeFileAtomic(process.argv[1] + '/web.conf', texts[0]);
      process.stdout.write('go\\n');
      for (let i = 0; ; i++) writeFileAtomic(process.argv[1] + '/web.conf', texts[i % 2]);`;
    let seenA = 0;
    let seenB = 0;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { PATH: process.env.PATH ?? '' },
      });
      await new Promise<void>((r) => child.stdout.once('data', () => r()));
      await new Promise((r) => setTimeout(r, 5 + ((round * 37) % 120)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const text = readFileSync(file, 'utf8');
      expect([a, b]).toContain(text);
      if (text === a) seenA++;
      else seenB++;
      const parsed = readProgramFile(file);
      expect(parsed.name).toBe('web');
    }
    expect(seenA + seenB).toBe(12);
    // A new store removes the temporary files an interrupted write left.
    new ProgramDirStore({ dir });
    expect(readdirSync(dir).filter(isTemporaryName)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt', 'web.conf']);
  }, 60_000);
});

const HAVE_SUPERVISORD = ['/usr/bin/supervisord', '/usr/local/bin/supervisord'].some((p) => existsSync(p));
if (!HAVE_SUPERVISORD) console.warn('NOTICE: supervisord is not installed: the test that runs the program files under it is skipped');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((r) => execFile(cmd, args, { timeout: 30_000 }, (err, stdout) => r({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout })));
}

describe.skipIf(!HAVE_SUPERVISORD)('the files under the real supervisord', () => {
  it('runs the enabled programs unchanged and ignores the disabled ones', async () => {
    const dir = tempDir();
    const store = new ProgramDirStore({ dir: join(dir, 'programs.d') });
    store.put({
      name: 'sleeper',
      enabled: true,
      config: {
        name: 'sleeper',
        command: ['sleep', '1000'],
        startsecs: 0,
        environment: { A: 'x y' },
        numprocs: 2,
        process_name: '%(program_name)s_%(process_num)d',
      },
    });
    store.put({ name: 'off', enabled: false, config: { name: 'off', command: 'sleep 1000', startsecs: 0 } });
    const conf = join(dir, 'supervisord.conf');
    writeFileSync(
      conf,
      `[supervisord]\nlogfile=%(here)s/supervisord.log\npidfile=%(here)s/supervisord.pid\nchildlogdir=%(here)s\nuser=root\n\n[unix_http_server]\nfile=%(here)s/s.sock\n\n` +
        `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://%(here)s/s.sock\n\n[include]\nfiles = programs.d/*.conf\n`,
    );
    const daemon = spawn('supervisord', ['-n', '-c', conf], { stdio: 'ignore' });
    const exited = new Promise((r) => daemon.once('exit', r));
    try {
      let status = { code: -1, stdout: '' };
      for (let i = 0; i < 100; i++) {
        status = await run('supervisorctl', ['-c', conf, 'status']);
        if ((status.stdout.match(/RUNNING/g) ?? []).length === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status.stdout).toMatch(/^sleeper:sleeper_0\s+RUNNING/m);
      expect(status.stdout).toMatch(/^sleeper:sleeper_1\s+RUNNING/m);
      expect(status.stdout).not.toMatch(/off/);
    } finally {
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  }, 60_000);
});
