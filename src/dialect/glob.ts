// Python 3.11's glob.glob(pattern) (non-recursive), as supervisord's [include] uses it: `*`, `?`
// and `[...]` per path component, hidden names only matched by patterns starting with '.', a
// pattern without magic returned as-is when the path exists. Results are unsorted, like Python's.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { pyDirname } from './python.js';

const MAGIC = /[*?[]/;

function hasMagic(s: string): boolean {
  return MAGIC.test(s);
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** os.path.split: (head without trailing slashes unless all slashes, tail). */
function splitPath(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  return [pyDirname(p), p.slice(i)];
}

function joinPath(a: string, b: string): string {
  if (b.startsWith('/') || !a) return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is literal. */
function fnmatchToRegExp(pat: string): RegExp {
  const p = Array.from(pat);
  let re = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i++] as string;
    if (c === '*') {
      while (p[i] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (p[j] === '!') j++;
      if (p[j] === ']') j++;
      while (j < p.length && p[j] !== ']') j++;
      if (j >= p.length) re += '\\[';
      else {
        re += translateClass(p.slice(i, j));
        i = j + 1;
      }
    } else re += escapeRegex(c);
  }
  return new RegExp(`^(?:${re})$`, 'u');
}

function translateClass(chars: string[]): string {
  let negate = false;
  let body = chars;
  if (body[0] === '!') {
    negate = true;
    body = body.slice(1);
  }
  if (body.length === 0) return negate ? '[\\s\\S]' : '(?!)';
  const items: string[] = [];
  for (let k = 0; k < body.length; k++) {
    const a = body[k] as string;
    if (body[k + 1] === '-' && k + 2 < body.length) {
      const b = body[k + 2] as string;
      k += 2;
      // Python drops ranges whose end precedes their start.
      if ((a.codePointAt(0) as number) <= (b.codePointAt(0) as number)) items.push(`${escapeClass(a)}-${escapeClass(b)}`);
    } else items.push(escapeClass(a));
  }
  if (items.length === 0) return negate ? '[\\s\\S]' : '(?!)';
  return `[${negate ? '^' : ''}${items.join('')}]`;
}

function escapeClass(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

function listDir(dir: string, dirsOnly: boolean): string[] {
  try {
    return readdirSync(dir || '.', { withFileTypes: true })
      .filter((e) => !dirsOnly || e.isDirectory() || (e.isSymbolicLink() && isDir(joinPath(dir || '.', e.name))))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function glob1(dir: string, pattern: string, dirsOnly: boolean): string[] {
  let names = listDir(dir, dirsOnly);
  if (!pattern.startsWith('.')) names = names.filter((n) => !n.startsWith('.'));
  const re = fnmatchToRegExp(pattern);
  return names.filter((n) => re.test(n));
}

function glob0(dir: string, basename: string): string[] {
  if (basename) return lexists(joinPath(dir, basename)) ? [basename] : [];
  return isDir(dir) ? [basename] : [];
}

function iglob(pathname: string, dirsOnly: boolean): string[] {
  const [dirname, basename] = splitPath(pathname);
  if (!hasMagic(pathname)) {
    if (basename) return lexists(pathname) ? [pathname] : [];
    return isDir(dirname) ? [pathname] : [];
  }
  if (!dirname) return glob1('', basename, dirsOnly);
  const dirs = dirname !== pathname && hasMagic(dirname) ? iglob(dirname, true) : [dirname];
  const out: string[] = [];
  for (const d of dirs) {
    const names = hasMagic(basename) ? glob1(d, basename, dirsOnly) : glob0(d, basename);
    for (const name of names) out.push(joinPath(d, name));
  }
  return out;
}

/** Python's glob.glob(pattern). */
export function pyGlob(pattern: string): string[] {
  return iglob(pattern, false);
}
