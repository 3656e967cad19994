// Python's shlex lexer in non-POSIX mode, as supervisord 4.2.5 tokenizes `environment=` values.

const WORDCHARS = new Set('abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.+-():');
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Python's shlex.shlex(value) in non-POSIX mode with supervisord's extra word characters
 * `/.+-():`, followed state by state: quotes open only at a token's start and stay in the token,
 * '#' drops the rest of the line (inside a word too), any other character is a token by itself.
 */
export function shlexNonPosix(value: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  let state: string = ' ';
  let token = '';
  const skipLine = () => {
    const nl = value.indexOf('\n', i);
    i = nl < 0 ? value.length : nl + 1;
  };
  const emit = () => {
    if (token) tokens.push(token);
    token = '';
    state = ' ';
  };
  while (i <= value.length) {
    const ch = i < value.length ? (value[i] as string) : '';
    i++;
    if (state === ' ') {
      if (!ch) break;
      if (WHITESPACE.has(ch)) continue;
      if (ch === '#') skipLine();
      else if (WORDCHARS.has(ch)) {
        token = ch;
        state = 'a';
      } else if (ch === '"' || ch === "'") {
        token = ch;
        state = ch;
      } else {
        tokens.push(ch);
      }
    } else if (state === '"' || state === "'") {
      if (!ch) throw new Error('No closing quotation');
      token += ch;
      if (ch === state) emit();
    } else {
      // word state
      if (!ch) {
        emit();
        break;
      }
      if (WHITESPACE.has(ch)) emit();
      else if (ch === '#') skipLine();
      else if (WORDCHARS.has(ch) || ch === '"' || ch === "'") token += ch;
      else {
        emit();
        tokens.push(ch);
      }
    }
  }
  return tokens;
}
