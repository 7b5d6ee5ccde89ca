import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { typeOfExtension } from '../domain/evidence/file-key.js';
import { attachmentDisposition } from '../export/report-table.js';
import type { EvidenceStore } from './evidence-store.js';

/**
 * Signed as headers, so S3 refuses a PUT of another type or length (403 SignatureDoesNotMatch), or
 * one without `If-None-Match: *` (which makes S3 refuse, 412, to replace a file already there). The
 * presigner leaves these unsigned by default; naming them here overrides that.
 */
const SIGNED_HEADERS = new Set(['content-type', 'content-length', 'if-none-match']);

type S3Sdk = {
  s3: typeof import('@aws-sdk/client-s3');
  getSignedUrl: typeof import('@aws-sdk/s3-request-presigner')['getSignedUrl'];
};
let sdk: Promise<S3Sdk> | undefined;

/**
 * The S3 SDK and its presigner, imported at first use, not when this module loads: the API
 * function's cold start skips them (test/bench/bundle.ts measures it), and only the first request
 * of a container that touches evidence pays, once. A failed import is tried again next time.
 */
function loadSdk(): Promise<S3Sdk> {
  sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]).then(
    ([s3, presigner]) => ({ s3, getSignedUrl: presigner.getSignedUrl }),
    (err: unknown) => {
      sdk = undefined;
      throw err;
    },
  );
  return sdk;
}

/**
 * The S3 client for presigning. Checksums only where S3 requires them: by default the SDK would sign
 * a CRC32 of the (empty) presign-time body into the URL, and every real upload would then fail.
 */
export async function createEvidenceS3Client(config: S3ClientConfig = {}): Promise<S3Client> {
  const { s3 } = await loadSdk();
  return new s3.S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', ...config });
}

/**
 * A client made at its first use (`createEvidenceS3Client` with `config`) and kept: what the
 * functions pass to `s3EvidenceStore`, so the SDK loads only when evidence is touched.
 */
export function lazyEvidenceS3Client(config: S3ClientConfig): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () => {
    client ??= createEvidenceS3Client(config).catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  };
}

/** A HEAD of a missing key. Without s3:ListBucket, S3 answers 403 for one too: an error, not "no". */
function isNotFound(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || (err instanceof Error && err.name === 'NotFound');
}

/** Evidence in an S3 bucket: presigned create-only PUTs bound to key, type and length; HEAD for existence and version. */
export function s3EvidenceStore(options: {
  client: S3Client | (() => Promise<S3Client>);
  bucket: string;
}): EvidenceStore {
  const { bucket } = options;
  const connect = async () => {
    const { s3, getSignedUrl } = await loadSdk();
    const client = typeof options.client === 'function' ? await options.client() : options.client;
    return { s3, getSignedUrl, client };
  };
  return {
    async createUpload({ key, contentType, size, expiresInSeconds, now }) {
      const { s3, getSignedUrl, client } = await connect();
      const command = new s3.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: size,
        // Create only: a second PUT to the same URL (still valid after the office accepted the
        // first file) must not replace what was submitted.
        IfNoneMatch: '*',
      });
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signingDate: now,
        signableHeaders: SIGNED_HEADERS,
      });
      // Browsers set Content-Length themselves (and may not set it by hand); only the type is asked for.
      return {
        url,
        headers: { 'Content-Type': contentType, 'If-None-Match': '*' },
        expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
      };
    },

    async createDownload({ key, fileName, recorded, expiresInSeconds, now }) {
      const { s3, getSignedUrl, client } = await connect();
      const ext = key.slice(key.lastIndexOf('.') + 1);
      const command = new s3.GetObjectCommand({
        Bucket: bucket,
        Key: key,
        // The version the submission recorded: exactly those bytes, whatever came after.
        ...(recorded?.versionId === undefined ? {} : { VersionId: recorded.versionId }),
        // S3 answers with these headers for this URL only: a download under the person-readable name.
        ResponseContentDisposition: attachmentDisposition(fileName, key.slice(key.lastIndexOf('/') + 1)),
        ResponseContentType: typeOfExtension(ext) ?? 'application/octet-stream',
      });
      const url = await getSignedUrl(client, command, { expiresIn: expiresInSeconds, signingDate: now });
      return { url, expiresAt: new Date(now.getTime() + expiresInSeconds * 1000) };
    },

    async describe(key) {
      const { s3, client } = await connect();
      try {
        const head = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
        // Without versioning S3 says "null"; that names no version to ask for later.
        const versionId =
          head.VersionId === undefined || head.VersionId === 'null' ? {} : { versionId: head.VersionId };
        return { size: head.ContentLength ?? 0, ...versionId };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },

    async exists(key) {
      const { s3, client } = await connect();
      try {
        await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
  };
}

/**
 * The origin (scheme, host, port) the bucket's presigned URLs point at, for the pages' CSP
 * connect-src: read off a URL presigned with the same client settings, so it follows the SDK's
 * endpoint rules (region, partition, virtual-hosted or path style). Offline, and with placeholder
 * credentials: the origin does not depend on who signs, and nothing is sent.
 */
export async function s3UploadOrigin(options: { config: S3ClientConfig; bucket: string }): Promise<string> {
  const client = await createEvidenceS3Client({
    ...options.config,
    credentials: { accessKeyId: 'origin-probe', secretAccessKey: 'origin-probe' },
  });
  const { s3, getSignedUrl } = await loadSdk();
  const url = await getSignedUrl(
    client,
    new s3.PutObjectCommand({ Bucket: options.bucket, Key: 'duties/origin/probe.pdf' }),
    { expiresIn: 60 },
  );
  return new URL(url).origin;
}
