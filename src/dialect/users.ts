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
