// Signal names and numbers of the platform, and supervisord's signal-name parsing.
import { constants } from 'node:os';

const SIGNALS = constants.signals as Record<string, number>;

/** Linux aliases Python's signal module knows and Node's table may lack. */
const ALIASES: Record<string, string> = { IOT: 'ABRT', CLD: 'CHLD', POLL: 'IO' };

const NUMBER_TO_NAME = new Map<number, string>();
for (const [name, num] of Object.entries(SIGNALS)) {
  if (!NUMBER_TO_NAME.has(num)) NUMBER_TO_NAME.set(num, name.slice(3));
}
// Python's signal module also names RTMIN and RTMAX.
const RTMIN = 34;
const RTMAX = 64;
NUMBER_TO_NAME.set(RTMIN, 'RTMIN');
NUMBER_TO_NAME.set(RTMAX, 'RTMAX');

/** A signal number for `name` (with or without SIG, any case), or undefined. */
export function signalNumberOf(name: string): number | undefined {
  let n = name.trim().toUpperCase();
  if (n.startsWith('SIG')) n = n.slice(3);
  if (n === 'RTMIN') return RTMIN;
  if (n === 'RTMAX') return RTMAX;
  n = ALIASES[n] ?? n;
  return SIGNALS[`SIG${n}`];
}

/** `SIGTERM` for 15; `signal N` for numbers without a name (supervisord's signame). */
export function signalName(num: number): string {
  const n = NUMBER_TO_NAME.get(num);
  return n ? `SIG${n}` : `signal ${num}`;
}

export type SignalSpec = string | number;

/**
 * supervisord's signal datatype: a number that equals some named signal, or a name with or
 * without SIG, any case. Returns the number; throws an Error with supervisord's message.
 */
export function parseSignal(value: SignalSpec): number {
  if (typeof value === 'number' || /^\s*\d+\s*$/.test(value)) {
    const num = typeof value === 'number' ? value : Number(value.trim());
    if (num === 0 || NUMBER_TO_NAME.has(num)) return num;
    throw new Error(`value '${String(value)}' is not a valid signal number`);
  }
  const num = signalNumberOf(value);
  if (num === undefined) throw new Error(`value '${value}' is not a valid signal name`);
  return num;
}
