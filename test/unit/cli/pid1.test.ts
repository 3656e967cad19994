// When procvisor puts tini in front of itself: only as PID 1, unless PROCVISOR_INIT turns it off;
// which tini it finds. (The behaviour itself is tested in a PID namespace: daemon/pid1.test.ts.)
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findTini, wantsInit } from '../../../src/cli/pid1.js';

describe('PID 1 detection and tini lookup', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('wants tini only as PID 1, and PROCVISOR_INIT=0/off/false turns it off', () => {
    expect(wantsInit(1, {})).toBe(true);
    expect(wantsInit(1, { PROCVISOR_INIT: '1' })).toBe(true);
    expect(wantsInit(2, {})).toBe(false);
    for (const off of ['0', 'off', 'OFF', 'false']) expect(wantsInit(1, { PROCVISOR_INIT: off })).toBe(false);
  });

  it('finds tini on PATH first, honours PROCVISOR_TINI, and gives up on a non-executable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-tini-'));
    dirs.push(dir);
    const fake = join(dir, 'tini');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(findTini({ PATH: `${dir}:/usr/bin` })).toBe(fake);
    expect(findTini({ PROCVISOR_TINI: fake, PATH: '' })).toBe(fake);
    expect(findTini({ PROCVISOR_TINI: join(dir, 'missing'), PATH: dir })).toBeUndefined();
    chmodSync(fake, 0o644);
    const found = findTini({ PATH: dir });
    expect(found === undefined || found !== fake).toBe(true);
  });
});
