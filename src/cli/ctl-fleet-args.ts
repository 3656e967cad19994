// The arguments of `procvisorctl fleet add|edit`: a line split as a shell would, `key=value`
// program options (values read as JSON when they parse, else as text) and the placement options
// --nodes, --labels and --singleton, turned into the JSON body the fleet API takes.

/** A bad `fleet` argument; the message names it. */
export class FleetArgError extends Error {
  override name = 'FleetArgError';
}

/** Splits a typed line into words: whitespace separates; '…' is literal; "…" and \ escape. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new FleetArgError(`unterminated ' quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        text += line[i];
      }
      if (i >= line.length) throw new FleetArgError(`unterminated " quote in: ${line}`);
      word = (word ?? '') + text;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** `2` → 2, `true` → true, `["a"]` → array, `null` → null; anything that is not JSON stays text. */
export function optionValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface Placement {
  nodes?: string[] | null;
  labels?: Record<string, string> | null;
  singleton?: boolean;
}

/** What `fleet add|edit NAME ...` asks for. */
export interface ProgramArgs {
  name: string;
  /** The program options given as key=value, values already typed. */
  options: Record<string, unknown>;
  /** Only the placement fields given (an empty --nodes/--labels is null: "clear it"). */
  placement: Placement;
}

function list(option: string, value: string): string[] | null {
  if (value === '') return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new FleetArgError(`${option}: empty name in ${JSON.stringify(value)}`);
  return items;
}

function labels(value: string): Record<string, string> | null {
  if (value === '') return null;
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FleetArgError(`--labels: expected key=value, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

// "--nodes=a,b" or "--nodes a,b": the value, and how many words were used.
function optionArgument(words: readonly string[], i: number, option: string): [string, number] {
  const word = words[i]!;
  if (word.startsWith(`${option}=`)) return [word.slice(option.length + 1), 1];
  const next = words[i + 1];
  if (next === undefined) throw new FleetArgError(`${option} requires a value`);
  return [next, 2];
}

/** Parses `NAME key=value ... [--nodes a,b] [--labels k=v,...] [--singleton | --no-singleton]`. */
export function parseProgramArgs(words: readonly string[]): ProgramArgs {
  const [name, ...rest] = words;
  if (name === undefined || name.startsWith('-') || name.includes('=')) throw new FleetArgError('expected a program name first');
  const options: Record<string, unknown> = {};
  const placement: Placement = {};
  for (let i = 0; i < rest.length;) {
    const word = rest[i]!;
    if (word === '--singleton' || word === '--no-singleton') {
      placement.singleton = word === '--singleton';
      i += 1;
    } else if (word === '--nodes' || word.startsWith('--nodes=')) {
      const [value, used] = optionArgument(rest, i, '--nodes');
      placement.nodes = list('--nodes', value);
      i += used;
    } else if (word === '--labels' || word.startsWith('--labels=')) {
      const [value, used] = optionArgument(rest, i, '--labels');
      placement.labels = labels(value);
      i += used;
    } else if (word.startsWith('-')) {
      throw new FleetArgError(`unknown option ${word} (options: --nodes, --labels, --singleton, --no-singleton)`);
    } else {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new FleetArgError(`expected key=value, got ${JSON.stringify(word)}`);
      const key = word.slice(0, eq);
      if (key === 'name' || key === 'placement') throw new FleetArgError(`${key} is not set with key=value (the name comes first; placement has its options)`);
      options[key] = optionValue(word.slice(eq + 1));
      i += 1;
    }
  }
  return { name, options, placement };
}

/** The POST body of `fleet add NAME ...`: every given field; cleared placement fields left out. */
export function createBody(args: ProgramArgs): Record<string, unknown> {
  if (args.options.command === undefined) throw new FleetArgError('command=... is required to add a program');
  const placement = Object.fromEntries(Object.entries(args.placement).filter(([, v]) => v !== null));
  return { name: args.name, ...(Object.keys(placement).length > 0 ? { placement } : {}), ...args.options };
}

/** The PATCH body (a JSON merge patch) of `fleet edit NAME ...`: only what was given. */
export function patchBody(args: ProgramArgs): Record<string, unknown> {
  const body: Record<string, unknown> = { ...args.options };
  if (Object.keys(args.placement).length > 0) body.placement = args.placement;
  if (Object.keys(body).length === 0) throw new FleetArgError(`nothing to change for ${args.name}: give key=value or placement options`);
  return body;
}

/** True when the single argument names a JSON file (`fleet add FILE.json`). */
export function isJsonFileArgument(words: readonly string[]): boolean {
  return words.length === 1 && /\.json$/i.test(words[0]!);
}
