import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new id: a prefix, 10 characters of time (so ids sort by creation) and 10 random ones, in
 * lower-case Crockford base32 — URL-safe, no '#', and a valid slug.
 */
export function newId(prefix: string, now: Date = new Date()): string {
  let time = now.getTime();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET.charAt(time % 32) + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  for (const byte of randomBytes(10)) tail += ALPHABET.charAt(byte % 32);
  return `${prefix}-${head}${tail}`;
}
