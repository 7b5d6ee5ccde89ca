import { ValidationError } from '../errors.js';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type Key = Record<string, string>;

/** An opaque cursor for a DynamoDB LastEvaluatedKey. */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | null {
  if (lastEvaluatedKey === undefined) return null;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks that it belongs to the query it is used with: only the expected
 * key attributes, all strings, and the same partition. A cursor crafted to start in another
 * partition (another unit's duties) is a 400, not a way around authorization.
 */
export function decodeCursor(
  cursor: string | undefined,
  expect: { attributes: readonly string[]; partition: Record<string, string> },
): Key | undefined {
  if (cursor === undefined) return undefined;
  const bad = () =>
    new ValidationError('分页游标无效', [{ field: 'cursor', message: '分页游标无效或不属于此查询' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
  const entries = Object.entries(parsed);
  if (entries.length !== expect.attributes.length) throw bad();
  const key: Key = {};
  for (const [name, value] of entries) {
    // DynamoDB refuses an empty key value with an error of its own: it is the client's cursor at fault.
    if (
      !expect.attributes.includes(name) ||
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > 1024
    )
      throw bad();
    key[name] = value;
  }
  for (const [name, value] of Object.entries(expect.partition)) {
    if (key[name] !== value) throw bad();
  }
  return key;
}
