// Turning `command` into an executable and argv exactly as supervisord's get_execv_args does:
// POSIX shell-like splitting, PATH search, and the checks whose texts become spawn errors.
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pyRepr } from '../dialect/expand.js';

/** Why a command cannot be run; `fault` is the supervisord fault an explicit start reports. */
export class BadCommandError extends Error {
  constructor(
    message: string,
    readonly fault: 'NO_FILE' | 'NOT_EXECUTABLE',
  ) {
    super(message);
  }
}

/** Python's shlex.split (POSIX mode, no comments). Throws Error('No closing quotation') etc. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < command.length) {
    const ch = command[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= command.length) throw new Error('No closing quotation');
        const c = command[i] as string;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          if (i + 1 >= command.length) throw new Error('No closing quotation');
          const next = command[i + 1] as string;
          // Inside double quotes only the quote and the backslash itself are escaped.
          word += next === '"' || next === '\\' ? next : c + next;
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 >= command.length) throw new Error('No escaped character');
      word += command[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export interface ResolvedCommand {
  /** The file to execute. */
  file: string;
  /** argv, argv[0] as written in the command. */
  argv: string[];
}

function statOrNull(path: string): Stats | null {
  try {
    // A missing file (each PATH directory that lacks the program) answers undefined: no Error
    // built and thrown per directory on every spawn.
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * Splits and resolves a command. `path` is the PATH to search (the program's environment's PATH,
 * else the manager's, else `/bin:/usr/bin:/usr/local/bin`). Throws BadCommandError with
 * supervisord's message: `can't find command 'x'`, `command at 'x' is a directory`, …
 */
export function resolveCommand(command: string | readonly string[], path: string | undefined): ResolvedCommand {
  let argv: string[];
  if (typeof command === 'string') {
    try {
      argv = splitCommand(command);
    } catch (e) {
      throw new BadCommandError(`can't parse command ${pyRepr(command)}: ${(e as Error).message}`, 'NOT_EXECUTABLE');
    }
  } else argv = [...command];
  const program = argv[0];
  if (program === undefined) throw new BadCommandError('command is empty', 'NOT_EXECUTABLE');
  let file = program;
  let st: Stats | null = null;
  if (program.includes('/')) st = statOrNull(program);
  else {
    for (const dir of (path ?? '/bin:/usr/bin:/usr/local/bin').split(delimiter)) {
      const candidate = join(dir, program);
      st = statOrNull(candidate);
      if (st) {
        file = candidate;
        break;
      }
    }
  }
  if (!st) throw new BadCommandError(`can't find command ${pyRepr(file)}`, 'NO_FILE');
  if (st.isDirectory()) throw new BadCommandError(`command at ${pyRepr(file)} is a directory`, 'NOT_EXECUTABLE');
  if ((st.mode & 0o111) === 0) throw new BadCommandError(`command at ${pyRepr(file)} is not executable`, 'NOT_EXECUTABLE');
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new BadCommandError(`no permission to run command ${pyRepr(file)}`, 'NOT_EXECUTABLE');
  }
  return { file, argv };
}
