// Hashes the tests need: supervisord's {SHA} passwords are the hex SHA-1 of the password.
import { createHash } from 'node:crypto';

/** Hex SHA-1 of `s` (UTF-8). */
export function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}
