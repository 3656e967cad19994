// What counts as credentials for the endpoints that define commands, and which unix socket modes
// are owner-only.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasCredentials, isOwnerOnly } from '../../src/server/command-access.js';

const sha = (s: string) => `{SHA}${createHash('sha1').update(s).digest('hex')}`;

describe('hasCredentials', () => {
  it.each([
    [undefined, false],
    [{ username: 'admin', password: '' }, false],
    [{ username: '', password: 'secret' }, false],
    [{ username: 'admin', password: '{SHA}' }, false],
    [{ username: 'admin', password: sha('') }, false],
    [{ username: 'admin', password: sha('').toUpperCase() }, false],
    [{ username: 'admin', password: 'secret' }, true],
    [{ username: 'admin', password: sha('secret') }, true],
  ])('%j → %s', (creds, want) => {
    expect(hasCredentials(creds)).toBe(want);
  });
});

describe('isOwnerOnly', () => {
  it.each([
    [undefined, true],
    [0o700, true],
    [0o600, true],
    [0o770, false],
    [0o777, false],
    [0o701, false],
  ])('%s → %s', (mode, want) => {
    expect(isOwnerOnly(mode)).toBe(want);
  });
});
