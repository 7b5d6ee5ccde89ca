import { HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { EvidenceStore } from './evidence-store.js';

/**
 * Signed as headers, so S3 refuses a PUT of another type or length (403 SignatureDoesNotMatch). The
 * presigner leaves Content-Type unsigned by default; naming it here overrides that.
 */
const SIGNED_HEADERS = new Set(['content-type', 'content-length']);

/**
 * The S3 client for presigning. Checksums only where S3 requires them: by default the SDK would sign
 * a CRC32 of the (empty) presign-time body into the URL, and every real upload would then fail.
 */
export function createEvidenceS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', ...config });
}

/** Evidence in an S3 bucket: presigned PUTs bound to key, type and length; HEAD for existence. */
export function s3EvidenceStore(options: { client: S3Client; bucket: string }): EvidenceStore {
  const { client, bucket } = options;
  return {
    async createUpload({ key, contentType, size, expiresInSeconds, now }) {
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: size,
      });
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signingDate: now,
        signableHeaders: SIGNED_HEADERS,
      });
      // Browsers set Content-Length themselves (and may not set it by hand); only the type is asked for.
      return {
        url,
        headers: { 'Content-Type': contentType },
        expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
      };
    },

    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        // Without s3:ListBucket, S3 answers 403 for a missing key too; that is an error here, not "no".
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (err instanceof Error && err.name === 'NotFound')) return false;
        throw err;
      }
    },
  };
}
