import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The credentials a DynamoDB Local client signs with; the engine keeps one database per access key id and region. */
export interface EngineCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The region every client of the embedded engine uses: with the access key id, it names the database. */
export const ENGINE_REGION = 'us-east-1';

const KEY_FILE = 'access-key.json';
/** What older versions (started with -sharedDb) wrote: one database for every client. */
const SHARED_DB_FILE = 'shared-local-instance.db';
/** DynamoDB Local 2.x accepts only letters and digits in an access key id. */
const ACCESS_KEY_ID = /^[A-Za-z0-9]{32,}$/;

/** A fresh random key: 160 bits nobody on the network can guess. */
export function newEngineCredentials(): EngineCredentials {
  return {
    accessKeyId: randomBytes(20).toString('hex'),
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

function read(file: string): EngineCredentials {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const { accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (
    typeof accessKeyId !== 'string' ||
    !ACCESS_KEY_ID.test(accessKeyId) ||
    typeof secretAccessKey !== 'string'
  ) {
    throw new Error(
      `本地数据库密钥文件已损坏。The engine key file ${file} is damaged: restore it from a backup.`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * The key of an engine folder: read from `<dir>/access-key.json`, or made on first use (mode 0600,
 * like the dev secret). DynamoDB Local listens on every interface and has no bind option; without
 * -sharedDb a client that does not know this key id sees an empty engine, not this folder's tables.
 *
 * A folder written by an older version with -sharedDb holds `shared-local-instance.db`: it is
 * renamed to the file the key's database is kept in (`<key id>_<region>.db`), so its data stays
 * and is no longer open to every client.
 */
export function loadEngineCredentials(dir: string): EngineCredentials {
  const file = join(dir, KEY_FILE);
  let credentials: EngineCredentials;
  if (existsSync(file)) {
    credentials = read(file);
  } else {
    credentials = newEngineCredentials();
    try {
      // 'wx': if another start wrote the key first, use that one.
      writeFileSync(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      credentials = read(file);
    }
  }
  const own = `${credentials.accessKeyId}_${ENGINE_REGION}.db`;
  if (existsSync(join(dir, SHARED_DB_FILE)) && !existsSync(join(dir, own))) {
    // SQLite's journal files (if a crash left any) travel with their database.
    for (const name of readdirSync(dir).filter((n) => n.startsWith(SHARED_DB_FILE))) {
      renameSync(join(dir, name), join(dir, own + name.slice(SHARED_DB_FILE.length)));
    }
  }
  return credentials;
}
