import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ChannelCredentials,
  memorySecretStore,
  parseCredentials,
  type SecretStore,
} from '../../shared/notify/secret-store.js';
import { MEMORY } from './dev-secret.js';

/**
 * Channel credentials of the local runtime: one JSON file in the data folder, mode 0600, beside the
 * dev secret (./dev-secret.ts), written whole through a temporary file so a crash never leaves
 * half of it. With DUBAN_DATA_DIR=memory they live in memory only.
 */
export function localSecretStore(dataDir: string): SecretStore {
  if (dataDir === MEMORY) return memorySecretStore();
  const file = join(dataDir, 'channel-secrets.json');
  const read = (): Record<string, string> =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const write = (all: Record<string, string>) => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  };
  return {
    async put(name: string, value: ChannelCredentials) {
      write({ ...read(), [name]: JSON.stringify(value) });
    },
    async get(name: string) {
      return parseCredentials(read()[name]);
    },
    async delete(name: string) {
      const { [name]: _gone, ...rest } = read();
      write(rest);
    },
  };
}
