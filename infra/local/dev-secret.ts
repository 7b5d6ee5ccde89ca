import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MEMORY = 'memory';
const MIN_SECRET_LENGTH = 32;

/**
 * The HS256 secret of the local runtime. It lives in the data folder (mode 0600) and never leaves
 * it; with DUBAN_DATA_DIR=memory nothing is written, so it comes from DUBAN_DEV_SECRET.
 */
export function loadDevSecret(dataDir: string, envSecret: string | undefined, create: boolean): string {
  if (dataDir === MEMORY) {
    if (envSecret === undefined || envSecret.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `DUBAN_DATA_DIR=memory 时必须设置 DUBAN_DEV_SECRET(至少 ${MIN_SECRET_LENGTH} 个字符)。` +
          ` With DUBAN_DATA_DIR=memory, set DUBAN_DEV_SECRET (at least ${MIN_SECRET_LENGTH} characters).`,
      );
    }
    return envSecret;
  }
  const file = join(dataDir, 'dev-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!create) {
    throw new Error(
      `还没有本地密钥:请先运行 npm start。No local secret at ${file}: run \`npm start\` once first.`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
