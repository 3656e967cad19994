// supervisord's `strip_ansi` (`[supervisord] strip_ansi=true`, `-t`): each piece of output a child
// writes loses its ANSI escapes before it is logged. supervisord's rule, byte for byte: from each
// ESC `[` up to and including the next byte that is one of `HfABCDRsuJKhlpm`, everything is dropped;
// an escape still open at the end of the piece drops the rest of it. Pieces are stripped one by one,
// as supervisord strips each read.

const ESC = 0x1b;
const BRACKET = 0x5b;
const TERMINATORS = new Set([...'HfABCDRsuJKhlpm'].map((c) => c.charCodeAt(0)));

/** `data` without its ANSI escapes (the same buffer when it has none). */
export function stripAnsi(data: Buffer): Buffer {
  let at = findEscape(data, 0);
  if (at < 0) return data;
  const kept: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    kept.push(data.subarray(from, at));
    // Skip ESC, then everything up to and including a terminator (the `[` itself is none).
    let i = at + 1;
    while (i < data.length && !TERMINATORS.has(data[i] as number)) i++;
    if (i >= data.length) return Buffer.concat(kept);
    from = i + 1;
    at = findEscape(data, from);
  }
  kept.push(data.subarray(from));
  return Buffer.concat(kept);
}

function findEscape(data: Buffer, from: number): number {
  for (let i = data.indexOf(ESC, from); i >= 0; i = data.indexOf(ESC, i + 1)) {
    if (data[i + 1] === BRACKET) return i;
  }
  return -1;
}
