import { HeadObjectCommand, NotFound } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  createEvidenceS3Client,
  lazyEvidenceS3Client,
  s3EvidenceStore,
  s3UploadOrigin,
} from '../../shared/evidence/s3-evidence-store.js';

const NOW = new Date('2026-05-16T02:00:00Z');
const CONFIG = {
  region: 'cn-northwest-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
};
const client = () => createEvidenceS3Client(CONFIG);

describe('S3 evidence store', () => {
  it('presigns a create-only PUT that binds the type and the length, without a checksum of an empty body', async () => {
    // As the functions make it: the client (and the SDK) only at the first presign.
    const store = s3EvidenceStore({ client: lazyEvidenceS3Client(CONFIG), bucket: 'duban-evidence' });
    const upload = await store.createUpload({
      key: 'duties/duty-1/f-1-file.pdf',
      contentType: 'application/pdf',
      size: 1234,
      expiresInSeconds: 900,
      now: NOW,
    });
    const url = new URL(upload.url);
    expect(`${url.origin}${url.pathname}`).toBe(
      'https://duban-evidence.s3.cn-northwest-1.amazonaws.com.cn/duties/duty-1/f-1-file.pdf',
    );
    // If-None-Match: * is signed in, so a PUT without it is refused and S3 never replaces a file.
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;if-none-match',
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260516T020000Z');
    // A checksum signed at presign time would be that of an empty body, failing every upload.
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
    expect(upload.headers).toEqual({ 'Content-Type': 'application/pdf', 'If-None-Match': '*' });
    expect(upload.expiresAt).toEqual(new Date('2026-05-16T02:15:00Z'));
  });

  it('says a missing key does not exist, and passes on any other failure', async () => {
    const s3 = await client();
    const mock = mockClient(s3);
    const store = s3EvidenceStore({ client: s3, bucket: 'duban-evidence' });
    mock.on(HeadObjectCommand, { Key: 'there' }).resolves({ ContentLength: 3 });
    mock
      .on(HeadObjectCommand, { Key: 'missing' })
      .rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    const denied = Object.assign(new Error('Forbidden'), {
      name: 'Forbidden',
      $metadata: { httpStatusCode: 403 },
    });
    mock.on(HeadObjectCommand, { Key: 'denied' }).rejects(denied);
    expect(await store.exists('there')).toBe(true);
    expect(await store.exists('missing')).toBe(false);
    await expect(store.exists('denied')).rejects.toThrow('Forbidden');
    mock.restore();
  });

  it('records a file’s size and version, and downloads exactly that version of a submitted file', async () => {
    const s3 = await client();
    const mock = mockClient(s3);
    const store = s3EvidenceStore({ client: s3, bucket: 'duban-evidence' });
    mock.on(HeadObjectCommand, { Key: 'versioned' }).resolves({ ContentLength: 3, VersionId: 'v-1' });
    mock.on(HeadObjectCommand, { Key: 'unversioned' }).resolves({ ContentLength: 5, VersionId: 'null' });
    mock
      .on(HeadObjectCommand, { Key: 'missing' })
      .rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    expect(await store.describe('versioned')).toEqual({ size: 3, versionId: 'v-1' });
    expect(await store.describe('unversioned')).toEqual({ size: 5 });
    expect(await store.describe('missing')).toBeUndefined();
    mock.restore();

    const download = await store.createDownload({
      key: 'duties/duty-1/f-1-file.pdf',
      fileName: '花名册.pdf',
      recorded: { size: 3, versionId: 'v-1' },
      expiresInSeconds: 300,
      now: NOW,
    });
    expect(new URL(download.url).searchParams.get('versionId')).toBe('v-1');
  });

  it('presigns a short GET that downloads the file under its Chinese name, as an attachment', async () => {
    const store = s3EvidenceStore({ client, bucket: 'duban-evidence' });
    const download = await store.createDownload({
      key: 'duties/duty-1/f-1-file.pdf',
      fileName: '花名册(签字版).pdf',
      expiresInSeconds: 300,
      now: NOW,
    });
    const url = new URL(download.url);
    expect(`${url.origin}${url.pathname}`).toBe(
      'https://duban-evidence.s3.cn-northwest-1.amazonaws.com.cn/duties/duty-1/f-1-file.pdf',
    );
    expect(url.searchParams.get('x-id')).toBe('GetObject');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260516T020000Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="f-1-file.pdf"; filename*=UTF-8''${encodeURIComponent('花名册')}%28${encodeURIComponent('签字版')}%29.pdf`,
    );
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(download.expiresAt).toEqual(new Date('2026-05-16T02:05:00Z'));
  });

  it('names the origin upload URLs point at, for the pages’ connect-src', async () => {
    // No credentials needed: the origin is read off a URL signed with placeholders.
    expect(await s3UploadOrigin({ config: { region: 'cn-northwest-1' }, bucket: 'duban-evidence' })).toBe(
      'https://duban-evidence.s3.cn-northwest-1.amazonaws.com.cn',
    );
    expect(await s3UploadOrigin({ config: { region: 'ap-east-1' }, bucket: 'duban-evidence' })).toBe(
      'https://duban-evidence.s3.ap-east-1.amazonaws.com',
    );
  });
});
