import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { isEvidenceKey } from '../../shared/domain/evidence/file-key.js';
import { AppError } from '../../shared/errors.js';
import type { EvidenceStore } from '../../shared/evidence/evidence-store.js';

/** The path the local server takes uploads on; the token follows it. */
export const LOCAL_EVIDENCE_PATH = '/local-evidence';

/** What an upload token grants: one key, one type, exactly `size` bytes, until `expiresAt`. */
export interface UploadGrant {
  key: string;
  contentType: string;
  size: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const GrantSchema = z.strictObject({
  k: z.string().refine(isEvidenceKey),
  t: z.string().min(1).max(200),
  s: z.number().int().min(0),
  e: z.number().int(),
});

export interface LocalEvidenceStore extends EvidenceStore {
  /** The folder the files are written under (`<dataDir>/evidence`). */
  readonly dir: string;
  /** The grant a token carries, if its signature holds and it has not expired at `now`. */
  verify(token: string, now: Date): UploadGrant;
  /** Streams `body` to the grant's key: refused past `size` bytes, and visible only once complete. */
  write(grant: UploadGrant, body: ReadableStream<Uint8Array> | null): Promise<void>;
}

/**
 * Evidence in a folder on this machine, with upload URLs that behave like S3's presigned PUTs: the
 * token in the URL is signed (HMAC-SHA256 with a key derived from the local secret), expires, and
 * binds the key, the content type and the exact size.
 */
export function localEvidenceStore(options: {
  dir: string;
  /** The local runtime's secret; a separate key is derived from it for upload tokens. */
  secret: string;
  /** The server's origin (e.g. http://127.0.0.1:8787), read when a URL is made. */
  baseUrl: () => string;
}): LocalEvidenceStore {
  const dir = resolve(options.dir);
  // Key separation: a token for uploads can never be mistaken for a session or an API token.
  const key = createHmac('sha256', options.secret).update('duban/local-evidence/v1').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();

  function pathOf(fileKey: string): string {
    if (!isEvidenceKey(fileKey)) throw new Error(`not an evidence key: ${fileKey}`);
    const path = resolve(dir, fileKey);
    // The key pattern already excludes '..'; this is the belt to those braces.
    if (!path.startsWith(dir + sep)) throw new Error(`evidence key escapes the folder: ${fileKey}`);
    return path;
  }

  const refused = (status: 400 | 403 | 413, code: string, message: string) =>
    new AppError(status, code, message);

  return {
    dir,

    async createUpload({ key: fileKey, contentType, size, expiresInSeconds, now }) {
      pathOf(fileKey);
      const expiresAt = Math.floor(now.getTime() / 1000) + expiresInSeconds;
      const payload = Buffer.from(
        JSON.stringify({ k: fileKey, t: contentType, s: size, e: expiresAt }),
      ).toString('base64url');
      const token = `${payload}.${mac(payload).toString('base64url')}`;
      return {
        url: `${options.baseUrl()}${LOCAL_EVIDENCE_PATH}/${token}`,
        headers: { 'Content-Type': contentType },
        expiresAt: new Date(expiresAt * 1000),
      };
    },

    async exists(fileKey) {
      try {
        return (await stat(pathOf(fileKey))).isFile();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },

    verify(token, now) {
      const invalid = () => refused(403, 'upload_url_invalid', '上传地址无效或已被改动,请重新申请上传');
      const [payload, signature, ...rest] = token.split('.');
      if (payload === undefined || signature === undefined || rest.length > 0) throw invalid();
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const parsed = GrantSchema.safeParse(decoded);
      if (!parsed.success) throw invalid();
      const grant = {
        key: parsed.data.k,
        contentType: parsed.data.t,
        size: parsed.data.s,
        expiresAt: parsed.data.e,
      };
      if (now.getTime() >= grant.expiresAt * 1000) {
        throw refused(403, 'upload_url_expired', '上传地址已过期,请重新申请上传');
      }
      return grant;
    },

    async write(grant, body) {
      const target = pathOf(grant.key);
      // Owner-only, like the dev secret beside it.
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      // Written beside the target and renamed at the end: a cut-off upload never shows as a file.
      const part = join(dirname(target), `.${randomBytes(8).toString('hex')}.part`);
      const handle = await open(part, 'wx', 0o600);
      let written = 0;
      let closed = false;
      let renamed = false;
      try {
        if (body !== null) {
          const reader = body.getReader();
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            written += chunk.value.byteLength;
            if (written > grant.size) {
              await reader.cancel();
              throw refused(413, 'upload_too_large', `文件超过申请上传时申报的 ${grant.size} 字节`);
            }
            await handle.write(chunk.value);
          }
        }
        if (written !== grant.size) {
          throw refused(400, 'upload_size_mismatch', `收到 ${written} 字节,与申报的 ${grant.size} 字节不符`);
        }
        await handle.close();
        closed = true;
        await rename(part, target);
        renamed = true;
      } finally {
        if (!closed) await handle.close().catch(() => undefined);
        if (!renamed) await rm(part, { force: true });
      }
    },
  };
}
