import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIELD_KEY_FILE, loadFieldKeys } from '../../infra/local/field-key.js';
import { createFieldCipher } from '../../shared/privacy/field-cipher.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'duban-field-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local field key', () => {
  it('is made once with mode 0600, and the next start opens what the first sealed', () => {
    const dir = freshDir();
    const first = loadFieldKeys(dir);
    const file = join(dir, FIELD_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = createFieldCipher(first).encrypt('张小明', 'case:c1:childName');
    const content = readFileSync(file, 'utf8');
    const second = loadFieldKeys(dir);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(second.current.id).toBe(first.current.id);
    expect(createFieldCipher(second).decrypt(sealed, 'case:c1:childName')).toBe('张小明');
  });

  it('stops on a file that is not a key instead of replacing it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, FIELD_KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(() => loadFieldKeys(dir)).toThrow(/field-key/);
    expect(readFileSync(join(dir, FIELD_KEY_FILE), 'utf8')).toBe('not a key\n');
  });

  it('keeps a key of its own per run in memory', () => {
    expect(loadFieldKeys('memory').current.id).not.toBe(loadFieldKeys('memory').current.id);
  });
});
