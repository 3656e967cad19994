// supervisord's value converters (supervisor/datatypes.py), table-driven: tables/datatypes.json
// holds inputs and what supervisord 4.2.5 itself returned for them (see tables/generate.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseAutorestart,
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExitCodes,
  parseInetAddress,
  parseInteger,
  parseLogLevel,
  parseOctal,
  parseProcessOrGroupName,
  parseSignalNumber,
} from '../../../src/dialect/datatypes.js';

type Row = [string, { ok?: unknown; err?: string }];
const TABLES = JSON.parse(readFileSync(new URL('./tables/datatypes.json', import.meta.url), 'utf8')) as Record<string, Row[]>;

function outcome(fn: (v: string) => unknown, input: string): { ok?: unknown; err?: string } {
  try {
    return { ok: fn(input) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

const CONVERTERS: Record<string, (v: string) => unknown> = {
  boolean: parseBoolean,
  integer: parseInteger,
  byte_size: parseByteSize,
  exitcodes: parseExitCodes,
  octal: parseOctal,
  autorestart: parseAutorestart,
  name: parseProcessOrGroupName,
  environment: parseEnvironment,
  signal: parseSignalNumber,
  loglevel: (v) => {
    const level = parseLogLevel(v);
    return { critical: 50, error: 40, warn: 30, info: 20, debug: 10, trace: 5, blather: 3 }[level];
  },
  inet_address: (v) => {
    const { host, port } = parseInetAddress(v);
    return [host, port];
  },
};

describe('datatypes match supervisord 4.2.5 (tables/datatypes.json)', () => {
  for (const [table, rows] of Object.entries(TABLES)) {
    const convert = CONVERTERS[table];
    if (!convert) throw new Error(`no converter for table ${table}`);
    describe(table, () => {
      it.each(rows)('%j', (input, expected) => {
        expect(outcome(convert, input)).toEqual(expected);
      });
    });
  }
});

describe("datatypes: supervisord's value parsers and environment= syntax", () => {
  it('byte sizes: two-letter suffixes only, spaces before the suffix tolerated', () => {
    expect(parseByteSize('10 MB')).toBe(10 * 1024 * 1024);
    expect(() => parseByteSize('1K')).toThrow("invalid literal for int() with base 10: '1k'");
  });

  it('environment: 4.2.5 silently drops the rest of an unquoted value with a space', () => {
    expect(parseEnvironment('A=hello world')).toEqual({ A: 'hello' });
    expect(() => parseEnvironment('X=a@b')).toThrow("Unexpected end of key/value pairs in value 'X=a@b'");
  });

  it('signals: numbers must equal a named signal (0 is one: SIG_DFL)', () => {
    expect(parseSignalNumber('0')).toBe(0);
    expect(parseSignalNumber('RTMIN')).toBe(34);
    expect(() => parseSignalNumber('33')).toThrow("value '33' is not a valid signal number");
  });

  it('names keep their unstripped spelling in the message', () => {
    expect(() => parseProcessOrGroupName(' my prog ')).toThrow("Invalid name: ' my prog ' because of character: ' '");
  });
});
