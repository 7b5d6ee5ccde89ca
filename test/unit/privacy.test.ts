import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskName, maskPhone, maskRegistryNumber } from '../../shared/domain/privacy/mask.js';
import { createFieldCipher, fieldKeys } from '../../shared/privacy/field-cipher.js';

describe('masks for lists', () => {
  it('hides the middle of names, phones and registry numbers', () => {
    expect(maskName('张三明')).toBe('张*明');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳小明')).toBe('欧**明');
    expect(maskName('王')).toBe('*');
    // A character outside the BMP counts as one.
    expect(maskName('𠀋小明')).toBe('𠀋*明');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138-1234-5678')).toBe('138****5678');
    expect(maskPhone('8123456')).toBe('*****56');
    expect(maskRegistryNumber('G430102201501011234')).toBe('G**************1234');
    expect(maskRegistryNumber('1234')).toBe('****');
  });
});

describe('field encryption at rest', () => {
  const keyA = { id: 'k2026a', key: randomBytes(32) };
  const keyB = { id: 'k2026b', key: randomBytes(32) };

  it('round-trips, and never writes the same ciphertext twice for one value', () => {
    const cipher = createFieldCipher(fieldKeys(keyA));
    const a = cipher.encrypt('13812345678', 'case:c1:guardianPhone');
    const b = cipher.encrypt('13812345678', 'case:c1:guardianPhone');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13812345678');
    expect(a.startsWith('v1:k2026a:')).toBe(true);
    expect(cipher.decrypt(a, 'case:c1:guardianPhone')).toBe('13812345678');
  });

  it('refuses a value moved to another record or field, altered, or under an unknown key', () => {
    const cipher = createFieldCipher(fieldKeys(keyA));
    const value = cipher.encrypt('张三明', 'case:c1:name');
    expect(() => cipher.decrypt(value, 'case:c2:name')).toThrow();
    expect(() => cipher.decrypt(value, 'case:c1:guardianName')).toThrow();
    const parts = value.split(':');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() =>
      cipher.decrypt([...parts.slice(0, 3), body.toString('base64url')].join(':'), 'case:c1:name'),
    ).toThrow();
    expect(() => createFieldCipher(fieldKeys(keyB)).decrypt(value, 'case:c1:name')).toThrow(
      /Unknown field key/,
    );
  });

  it('reads values written under an older key after rotation', () => {
    const old = createFieldCipher(fieldKeys(keyA)).encrypt('李四', 'case:c9:name');
    const rotated = createFieldCipher(fieldKeys(keyB, [keyA]));
    expect(rotated.decrypt(old, 'case:c9:name')).toBe('李四');
    expect(rotated.encrypt('李四', 'case:c9:name').startsWith('v1:k2026b:')).toBe(true);
  });

  it('rejects keys of the wrong size or with an id that would break the format', () => {
    expect(() => fieldKeys({ id: 'short', key: randomBytes(16) })).toThrow(RangeError);
    expect(() => fieldKeys({ id: 'a:b', key: randomBytes(32) })).toThrow(RangeError);
  });
});
