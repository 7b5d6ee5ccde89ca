import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { isEvidenceKey, typeOfExtension } from '../../shared/domain/evidence/file-key.js';
import { AppError, NotFoundError } from '../../shared/errors.js';
import type { EvidenceStore } from '../../shared/evidence/evidence-store.js';
import { attachmentDisposition } from '../../shared/export/report-table.js';

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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

/** What a download token grants: reading one key, under one name, until `expiresAt`. */
export interface DownloadGrant {
  key: string;
  fileName: string;
  /** The bytes a submission recorded (size and SHA-256): anything else is refused, not served. */
  recorded?: { size: number; sha256: string } | undefined;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const DownloadGrantSchema = z.strictObject({
  k: z.string().refine(isEvidenceKey),
  n: z.string().min(1).max(400),
  e: z.number().int(),
  s: z.number().int().min(0).optional(),
  h: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** A stored file, ready to stream with the headers S3 would answer a presigned GET with. */
export interface EvidenceFile {
  body: ReadableStream<Uint8Array>;
  size: number;
  contentType: string;
  contentDisposition: string;
}

export interface LocalEvidenceStore extends EvidenceStore {
  /** The folder the files are written under (`<dataDir>/evidence`). */
  readonly dir: string;
  /** The grant a token carries, if its signature holds and it has not expired at `now`. */
  verify(token: string, now: Date): UploadGrant;
  /**
   * Streams `body` to the grant's key: refused past `size` bytes, visible only once complete, and
   * never over a file already there (412, as S3 answers a PUT with `If-None-Match: *`).
   */
  write(grant: UploadGrant, body: ReadableStream<Uint8Array> | null): Promise<void>;
  /** The grant a download token carries, if its signature holds and it has not expired at `now`. */
  verifyDownload(token: string, now: Date): DownloadGrant;
  /** The granted file (404 when it is not there; 409 when it is not the bytes the grant records). */
  read(grant: DownloadGrant): Promise<EvidenceFile>;
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
  // A second key for downloads: an upload token never opens a file, nor a download token takes one.
  const readKey = createHmac('sha256', options.secret).update('duban/local-evidence-download/v1').digest();
  const readMac = (payload: string) => createHmac('sha256', readKey).update(payload).digest();

  /** `payload.signature`, both base64url; the payload is the grant's JSON. */
  const sign = (grant: object, macOf: (payload: string) => Buffer) => {
    const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${payload}.${macOf(payload).toString('base64url')}`;
  };

  /** The token's JSON when its signature holds (constant-time), else undefined. */
  function opened(token: string, macOf: (payload: string) => Buffer): unknown {
    const [payload, signature, ...rest] = token.split('.');
    if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
    const given = Buffer.from(signature, 'base64url');
    const expected = macOf(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }

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
      const token = sign({ k: fileKey, t: contentType, s: size, e: expiresAt }, mac);
      return {
        url: `${options.baseUrl()}${LOCAL_EVIDENCE_PATH}/${token}`,
        // As S3's: the PUT only creates (a taken key is refused whether or not this is sent).
        headers: { 'Content-Type': contentType, 'If-None-Match': '*' },
        expiresAt: new Date(expiresAt * 1000),
      };
    },

    async createDownload({ key: fileKey, fileName, recorded, expiresInSeconds, now }) {
      pathOf(fileKey);
      const expiresAt = Math.floor(now.getTime() / 1000) + expiresInSeconds;
      const check = recorded?.sha256 === undefined ? {} : { s: recorded.size, h: recorded.sha256 };
      const token = sign({ k: fileKey, n: fileName, e: expiresAt, ...check }, readMac);
      return {
        url: `${options.baseUrl()}${LOCAL_EVIDENCE_PATH}/${token}`,
        expiresAt: new Date(expiresAt * 1000),
      };
    },

    verifyDownload(token, now) {
      const parsed = DownloadGrantSchema.safeParse(opened(token, readMac));
      if (!parsed.success) {
        throw refused(403, 'download_url_invalid', '下载地址无效或已被改动,请回到页面重新打开');
      }
      const { k, n, e, s, h } = parsed.data;
      const grant: DownloadGrant = { key: k, fileName: n, expiresAt: e };
      if (s !== undefined && h !== undefined) grant.recorded = { size: s, sha256: h };
      if (now.getTime() >= grant.expiresAt * 1000) {
        throw refused(403, 'download_url_expired', '下载地址已过期,请回到页面重新打开');
      }
      return grant;
    },

    async read(grant) {
      const path = pathOf(grant.key);
      let size: number;
      try {
        const info = await stat(path);
        if (!info.isFile()) throw new NotFoundError('佐证文件', grant.key);
        size = info.size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('佐证文件', grant.key);
        throw err;
      }
      const ext = grant.key.slice(grant.key.lastIndexOf('.') + 1);
      const headers = {
        contentType: typeOfExtension(ext) ?? 'application/octet-stream',
        contentDisposition: attachmentDisposition(
          grant.fileName,
          grant.key.slice(grant.key.lastIndexOf('/') + 1),
        ),
      };
      if (grant.recorded === undefined) {
        return {
          body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
          size,
          ...headers,
        };
      }
      // A submitted file: read once, checked, and exactly the checked bytes served (at most the
      // upload limit, 20 MiB, on the one machine the local runtime serves).
      const bytes = await readFile(path);
      if (bytes.byteLength !== grant.recorded.size || sha256Of(bytes) !== grant.recorded.sha256) {
        throw new AppError(
          409,
          'evidence_altered',
          '佐证文件与提交时登记的不一致,已拒绝下载,请联系管理员核查',
        );
      }
      return { body: new Blob([bytes]).stream(), size: bytes.byteLength, ...headers };
    },

    async describe(fileKey) {
      try {
        const bytes = await readFile(pathOf(fileKey));
        return { size: bytes.byteLength, sha256: sha256Of(bytes) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR') return undefined;
        throw err;
      }
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
      const parsed = GrantSchema.safeParse(opened(token, mac));
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
        // A link, not a rename: it fails when the key is taken, so an upload never replaces a file
        // (a second PUT to a still-valid URL, after the office accepted what the first one sent).
        try {
          await link(part, target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          throw new AppError(
            412,
            'evidence_exists',
            '该文件已上传,佐证文件上传后不能替换;如需更换,请重新申请上传',
          );
        }
      } finally {
        if (!closed) await handle.close().catch(() => undefined);
        await rm(part, { force: true });
      }
    },
  };
}
