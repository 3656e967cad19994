// The passwd and group databases, read from /etc (no native addon).
import { readFileSync } from 'node:fs';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function readDb(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** Looks a user up by name or numeric uid, as supervisord's `name_to_uid` does. */
export function lookupUser(spec: string | number): PasswdEntry | undefined {
  const rows = readDb('/etc/passwd');
  const byUid = typeof spec === 'number' || /^\d+$/.test(spec);
  for (const r of rows) {
    const entry = { name: r[0] ?? '', uid: Number(r[2]), gid: Number(r[3]), home: r[5] ?? '' };
    if (byUid ? entry.uid === Number(spec) : entry.name === spec) return entry;
  }
  return undefined;
}

/** Looks a group up by name or numeric gid in /etc/group: its gid, or undefined. */
export function lookupGroup(spec: string | number): number | undefined {
  const row = readDb('/etc/group').find((r) => (typeof spec === 'number' ? Number(r[2]) === spec : r[0] === spec));
  return row ? Number(row[2]) : undefined;
}

/**
 * The groups supervisord's child takes when it drops to `uid` (`drop_privileges`): the user's
 * primary gid first, then every group whose member list names the user, in /etc/group order. The
 * name is the first passwd entry of that uid, as getpwuid answers.
 */
export function supplementaryGroups(uid: number): number[] | undefined {
  const entry = lookupUser(uid);
  if (!entry) return undefined;
  const members = readDb('/etc/group')
    .filter((r) => (r[3] ?? '').split(',').includes(entry.name))
    .map((r) => Number(r[2]));
  return [entry.gid, ...members];
}
