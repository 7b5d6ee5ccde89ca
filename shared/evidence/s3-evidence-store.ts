import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { typeOfExtension } from '../domain/evidence/file-key.js';
import { attachmentDisposition } from '../export/report-table.js';
import type { EvidenceStore } from './evidence-store.js';

/**
 * Signed as headers, so S3 refuses a PUT of another type or length (403 SignatureDoesNotMatch), or
 * one without `If-None-Match: *` (which makes S3 refuse, 412, to replace a file already there). The
 * presigner leaves these unsigned by default; naming them here overrides that.
 */
const SIGNED_HEADERS = new Set(['content-type', 'content-length', 'if-none-match']);

/**
 * The S3 client for presigning. Checksums only where S3 requires them: by default the SDK would sign
 * a CRC32 of the (empty) presign-time body into the URL, and every real upload would then fail.
 */
export function createEvidenceS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', ...config });
}

/** A HEAD of a missing key. Without s3:ListBucket, S3 answers 403 for one too: an error, not "no". */
function isNotFound(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || (err instanceof Error && err.name === 'NotFound');
}

/** Evidence in an S3 bucket: presigned create-only PUTs bound to key, type and length; HEAD for existence and version. */
export function s3EvidenceStore(options: { client: S3Client; bucket: string }): EvidenceStore {
  const { client, bucket } = options;
  return {
    async createUpload({ key, contentType, size, expiresInSeconds, now }) {
      const command = new PutObjectCommand({
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
      const ext = key.slice(key.lastIndexOf('.') + 1);
      const command = new GetObjectCommand({
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
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
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
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
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
  const client = createEvidenceS3Client({
    ...options.config,
    credentials: { accessKeyId: 'origin-probe', secretAccessKey: 'origin-probe' },
  });
  const url = await getSignedUrl(
    client,
    new PutObjectCommand({ Bucket: options.bucket, Key: 'duties/origin/probe.pdf' }),
    { expiresIn: 60 },
  );
  return new URL(url).origin;
}
