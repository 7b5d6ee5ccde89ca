/**
 * Evidence uploads end to end: the API issues an upload URL, the file goes to the local upload
 * route (the stand-in for S3's presigned PUT), and the submission lists the file key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../../functions/web/session.js';
import { localEvidenceRoutes, withLocalEvidence } from '../../infra/local/local-evidence-routes.js';
import { LOCAL_EVIDENCE_PATH, localEvidenceStore } from '../../infra/local/local-evidence-store.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { EVIDENCE_MAX_BYTES } from '../../shared/domain/evidence/limits.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { EvidenceDownload, EvidenceUpload } from '../../shared/schemas/evidence.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { createEvidenceService } from '../../shared/services/index.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { EVIDENCE_ORIGIN } from '../fixtures/evidence.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string; message: string }[] } };
}

const NOW = new Date('2026-05-16T02:00:00Z');
const VILLAGE = unitUser('village');
const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Every file under `dir`, as paths relative to it (none when the folder was never made). */
async function filesIn(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

const fieldsOf = (body: unknown) =>
  ((body as ErrorBody).error.details?.fields ?? []).map((f) => f.field).sort();

describe('evidence uploads', () => {
  let api: Api;
  let plan: Plan;

  const newDuty = async (leadUnitId = 'village') =>
    (
      await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: { title: '适龄儿童摸排', phaseKey: 'work', leadUnitId, dueAt: '2026-06-30' },
      })
    ).body.duties[0] as Duty;

  const requestUpload = (dutyId: string, body: unknown, as = VILLAGE) =>
    api.call<EvidenceUpload>('POST', `/v1/duties/${dutyId}/evidence-uploads`, { as, body });

  const put = (upload: Pick<EvidenceUpload, 'uploadUrl' | 'headers'>, body: Uint8Array, headers = {}) =>
    api.evidence.uploads.request(upload.uploadUrl, {
      method: 'PUT',
      headers: { ...upload.headers, ...headers },
      body,
    });

  beforeAll(async () => {
    api = await testApp({ now: NOW });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'other', name: '柳湾村', kind: 'village', parentId: 'county' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
      })
    ).body;
  });

  afterAll(async () => {
    await rm(api.evidence.dir, { recursive: true, force: true });
  });

  describe('the round trip', () => {
    it('issues an upload URL, takes the file, and the submission lists its key', async () => {
      const duty = await newDuty();
      const bytes = randomBytes(48_213);
      const res = await requestUpload(duty.id, {
        fileName: '适龄儿童花名册(签字版).pdf',
        contentType: PDF,
        size: bytes.byteLength,
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toEqual({
        uploadUrl: expect.stringMatching(
          new RegExp(`^${EVIDENCE_ORIGIN}${LOCAL_EVIDENCE_PATH}/[\\w-]+\\.[\\w-]+$`),
        ),
        method: 'PUT',
        // Create only: the PUT never replaces a file already under the key.
        headers: { 'Content-Type': PDF, 'If-None-Match': '*' },
        // A Chinese name leaves no ASCII slug: 'file', and the extension is kept.
        fileKey: expect.stringMatching(new RegExp(`^duties/${duty.id}/f-[0-9a-z]{20}-file\\.pdf$`)),
        expiresAt: '2026-05-16T02:15:00.000Z',
        maxBytes: bytes.byteLength,
      });
      expect(await api.evidence.store.exists(res.body.fileKey)).toBe(false);

      const uploaded = await put(res.body, bytes);
      expect(uploaded.status, await uploaded.clone().text()).toBe(201);
      expect(await uploaded.json()).toEqual({ fileKey: res.body.fileKey, size: bytes.byteLength });

      expect(await api.evidence.store.exists(res.body.fileKey)).toBe(true);
      const path = join(api.evidence.dir, res.body.fileKey);
      expect(Buffer.compare(await readFile(path), bytes)).toBe(0);
      expect((await stat(path)).mode & 0o777).toBe(0o600);

      const submitted = await api.call<Duty>('POST', `/v1/duties/${duty.id}/submit`, {
        as: VILLAGE,
        body: {
          note: '花名册已签字',
          evidence: [{ title: '适龄儿童花名册(签字版)', ref: res.body.fileKey }],
        },
      });
      expect(submitted.status, submitted.text).toBe(200);
      expect(submitted.body.submission?.evidence).toEqual([
        {
          title: '适龄儿童花名册(签字版)',
          ref: res.body.fileKey,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      ]);
    });

    it('refuses a submission listing a file that never arrived or belongs to another duty, writing nothing', async () => {
      const duty = await newDuty();
      const otherDuty = await newDuty('other');
      const issued = await requestUpload(duty.id, { fileName: 'roster.pdf', contentType: PDF, size: 10 });
      const foreign = await requestUpload(
        otherDuty.id,
        { fileName: 'x.pdf', contentType: PDF, size: 3 },
        unitUser('other'),
      );
      expect((await put(foreign.body, randomBytes(3))).status).toBe(201);

      const res = await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/submit`, {
        as: VILLAGE,
        body: {
          note: '花名册已签字',
          evidence: [
            { title: '外部链接', ref: 'https://files.example/roster.xlsx' },
            { title: '未上传完成的文件', ref: issued.body.fileKey },
            { title: '别的任务的文件', ref: foreign.body.fileKey },
            { title: '伪造的路径', ref: `duties/${duty.id}/../../etc/passwd` },
          ],
        },
      });
      expect(res.status, res.text).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['evidence.1.ref', 'evidence.2.ref', 'evidence.3.ref']);
      expect(res.body.error.details?.fields?.[0]?.message).toMatch(/尚未上传完成/);
      expect(res.body.error.details?.fields?.[1]?.message).toMatch(/不是本任务上传的佐证文件/);
      const after = await api.call<Duty>('GET', `/v1/duties/${duty.id}`, { as: VILLAGE });
      expect(after.body.status).toBe('open');
      expect(after.body.version).toBe(duty.version);

      // Once the file is there, the same submission goes through.
      expect((await put(issued.body, randomBytes(10))).status).toBe(201);
      const ok = await api.call<Duty>('POST', `/v1/duties/${duty.id}/submit`, {
        as: VILLAGE,
        body: { note: '花名册已签字', evidence: [{ title: '花名册', ref: issued.body.fileKey }] },
      });
      expect(ok.status, ok.text).toBe(200);
    });

    it('keys a Latin name by its slug, keeps a matching extension and adds a missing one', async () => {
      const duty = await newDuty();
      const jpg = await requestUpload(duty.id, {
        fileName: 'Roster FINAL (v2).JPG',
        contentType: 'image/jpeg',
        size: 10,
      });
      expect(jpg.body.fileKey).toMatch(/-roster-final-v2\.jpg$/);
      const docx = await requestUpload(duty.id, { fileName: '整改台账', contentType: DOCX, size: 10 });
      expect(docx.body.fileKey).toMatch(/-file\.docx$/);
      // An unknown suffix is part of the name, not an extension.
      const named = await requestUpload(duty.id, { fileName: 'minutes.final', contentType: PDF, size: 10 });
      expect(named.body.fileKey).toMatch(/-minutes-final\.pdf$/);
      expect(new Set([jpg.body.fileKey, docx.body.fileKey, named.body.fileKey]).size).toBe(3);
    });

    it('lets the office upload for a unit, as it may submit for one', async () => {
      const duty = await newDuty();
      const res = await requestUpload(
        duty.id,
        { fileName: 'scan.png', contentType: 'image/png', size: 4 },
        OFFICE,
      );
      expect(res.status).toBe(201);
      expect((await put(res.body, new Uint8Array([1, 2, 3, 4]))).status).toBe(201);
      expect(await api.evidence.store.exists(res.body.fileKey)).toBe(true);
    });

    it('streams a file over a real local server, as the local runtime serves it', async () => {
      const duty = await newDuty();
      let origin = '';
      const store = localEvidenceStore({
        dir: join(api.evidence.dir, 'served'),
        secret: 'another-local-secret-0123456789-0123456789',
        baseUrl: () => origin,
      });
      const service = createEvidenceService({ doc: api.doc, tableName: api.table.tableName }, store);
      const fetch = withLocalEvidence(localEvidenceRoutes({ store, clock: () => NOW }), api.app.fetch);
      const server = await new Promise<ServerType>((ok) => {
        const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
      });
      try {
        const address = server.address();
        origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
        const bytes = randomBytes(3 * 1024 * 1024 + 17);
        const upload = await service.createUpload(
          VILLAGE,
          duty.id,
          { fileName: 'photos.pdf', contentType: PDF, size: bytes.byteLength },
          NOW,
        );
        expect(upload.uploadUrl.startsWith(`${origin}${LOCAL_EVIDENCE_PATH}/`)).toBe(true);
        const res = await globalThis.fetch(upload.uploadUrl, {
          method: 'PUT',
          headers: upload.headers,
          body: bytes,
        });
        expect(res.status, await res.clone().text()).toBe(201);
        expect(Buffer.compare(await readFile(join(store.dir, upload.fileKey)), bytes)).toBe(0);
        // The same server still answers the API (everything outside /local-evidence/ goes to the app).
        expect((await globalThis.fetch(`${origin}/health`)).status).toBe(200);
      } finally {
        await new Promise<void>((ok) => server.close(() => ok()));
      }
    });
  });

  describe('limits, stated and enforced', () => {
    let duty: Duty;
    beforeAll(async () => {
      duty = await newDuty();
    });
    const refused = async (body: unknown, fields: string[]) => {
      const res = await requestUpload(duty.id, body);
      expect(res.status, res.text).toBe(400);
      expect((res.body as unknown as ErrorBody).error.code).toBe('validation_failed');
      expect(fieldsOf(res.body)).toEqual(fields);
      return res.body as unknown as ErrorBody;
    };

    it('takes exactly 20 MiB and refuses a byte more, an empty file, or a fraction', async () => {
      expect(
        (await requestUpload(duty.id, { fileName: 'a.pdf', contentType: PDF, size: EVIDENCE_MAX_BYTES }))
          .status,
      ).toBe(201);
      const tooBig = await refused({ fileName: 'a.pdf', contentType: PDF, size: EVIDENCE_MAX_BYTES + 1 }, [
        'size',
      ]);
      expect(tooBig.error.details?.fields?.[0]?.message).toContain('20 MiB');
      await refused({ fileName: 'a.pdf', contentType: PDF, size: 0 }, ['size']);
      await refused({ fileName: 'a.pdf', contentType: PDF, size: 1.5 }, ['size']);
      await refused({ fileName: 'a.pdf', contentType: PDF, size: '100' }, ['size']);
      await refused({ fileName: 'a.pdf', contentType: PDF }, ['size']);
    });

    it('takes the seven office file types and refuses any other', async () => {
      for (const contentType of [
        PDF,
        'image/jpeg',
        'image/png',
        DOCX,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/msword',
        'application/vnd.ms-excel',
      ]) {
        expect(
          (await requestUpload(duty.id, { fileName: '材料', contentType, size: 1 })).status,
          contentType,
        ).toBe(201);
      }
      for (const contentType of ['text/html', 'application/zip', 'image/svg+xml', 'APPLICATION/PDF', '']) {
        const body = await refused({ fileName: '材料', contentType, size: 1 }, ['contentType']);
        expect(body.error.details?.fields?.[0]?.message).toContain('application/pdf');
      }
    });

    it('takes a name of 1 to 200 characters, Chinese included, and refuses others', async () => {
      expect(
        (await requestUpload(duty.id, { fileName: `${'报'.repeat(196)}.pdf`, contentType: PDF, size: 1 }))
          .status,
      ).toBe(201);
      await refused({ fileName: `${'报'.repeat(197)}.pdf`, contentType: PDF, size: 1 }, ['fileName']);
      await refused({ fileName: '', contentType: PDF, size: 1 }, ['fileName']);
      await refused({ fileName: '   ', contentType: PDF, size: 1 }, ['fileName']);
      await refused({ fileName: 'a\u0000.pdf', contentType: PDF, size: 1 }, ['fileName']);
      await refused({ contentType: PDF, size: 1 }, ['fileName']);
    });

    it('refuses a known extension of another type', async () => {
      const body = await refused({ fileName: '照片.pdf', contentType: 'image/png', size: 1 }, ['fileName']);
      expect(body.error.details?.fields?.[0]?.message).toContain('.pdf');
    });

    it('names every failing field at once, and refuses unknown ones', async () => {
      await refused({ fileName: '', contentType: 'text/plain', size: EVIDENCE_MAX_BYTES + 1 }, [
        'contentType',
        'fileName',
        'size',
      ]);
      const extra = await requestUpload(duty.id, {
        fileName: 'a.pdf',
        contentType: PDF,
        size: 1,
        bucket: 'x',
      });
      expect(extra.status).toBe(400);
    });

    it('states the limits in the OpenAPI document', async () => {
      const doc = await api.call<{ paths: Record<string, { post?: { description?: string } }> }>(
        'GET',
        '/openapi.json',
        { as: null },
      );
      const description = doc.body.paths['/v1/duties/{dutyId}/evidence-uploads']?.post?.description ?? '';
      for (const phrase of ['20 MiB', 'application/pdf', 'application/vnd.ms-excel', '200 个字符', '409']) {
        expect(description).toContain(phrase);
      }
    });
  });

  describe('who and when', () => {
    it('answers 404 for an unknown duty, 403 for anyone but the unit and the office, 409 unless open', async () => {
      const body = { fileName: 'a.pdf', contentType: PDF, size: 1 };
      const unknown = await requestUpload('no-such-duty', body);
      expect(unknown.status).toBe(404);

      const duty = await newDuty();
      for (const as of [unitUser('other'), unitUser('town'), LEADER]) {
        const res = await requestUpload(duty.id, body, as);
        expect(res.status, `${JSON.stringify(as)}: ${res.text}`).toBe(403);
        expect((res.body as unknown as ErrorBody).error.code).toBe('forbidden');
      }

      await api.call('POST', `/v1/duties/${duty.id}/submit`, { as: VILLAGE, body: { note: '已完成' } });
      const late = await requestUpload(duty.id, body);
      expect(late.status).toBe(409);
      expect(late.body as unknown as ErrorBody).toMatchObject({
        error: { code: 'duty_not_open', details: { status: 'submitted' } },
      });
    });
  });

  describe('the local upload route', () => {
    let duty: Duty;
    beforeAll(async () => {
      duty = await newDuty();
    });
    const issue = async (size = 16) => {
      const res = await requestUpload(duty.id, { fileName: 'report.docx', contentType: DOCX, size });
      expect(res.status).toBe(201);
      return res.body;
    };
    const expectNothingWritten = async (upload: EvidenceUpload) => {
      expect(await api.evidence.store.exists(upload.fileKey)).toBe(false);
      expect(
        (await filesIn(join(api.evidence.dir, 'duties', duty.id))).filter((f) => f.endsWith('.part')),
      ).toEqual([]);
    };
    const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error.code;

    it('refuses an expired URL with 403 and writes nothing', async () => {
      const upload = await issue();
      api.setNow(new Date(NOW.getTime() + 15 * 60_000));
      try {
        const res = await put(upload, randomBytes(16));
        expect(res.status).toBe(403);
        expect(await errorOf(res)).toBe('upload_url_expired');
      } finally {
        api.setNow(NOW);
      }
      await expectNothingWritten(upload);
    });

    it('refuses a forged or altered token with 403 and writes nothing', async () => {
      const upload = await issue();
      const [payload = '', signature = ''] = upload.uploadUrl.split('/').at(-1)?.split('.') ?? [];
      const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const base = `${EVIDENCE_ORIGIN}${LOCAL_EVIDENCE_PATH}/`;
      const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const forgedWith = async (secret: string) => {
        const other = localEvidenceStore({ dir: api.evidence.dir, secret, baseUrl: () => EVIDENCE_ORIGIN });
        return (
          await other.createUpload({
            key: upload.fileKey,
            contentType: DOCX,
            size: 16,
            expiresInSeconds: 900,
            now: NOW,
          })
        ).url;
      };
      for (const url of [
        // A bigger size, a later expiry, or another key under the old signature.
        `${base}${enc({ ...grant, s: 999_999 })}.${signature}`,
        `${base}${enc({ ...grant, e: Number(grant.e) + 86_400 })}.${signature}`,
        `${base}${enc({ ...grant, k: `duties/${duty.id}/f-0000000000aaaaaaaaaa-evil.docx` })}.${signature}`,
        `${base}${payload}.${signature.slice(0, -2)}AA`,
        `${base}${payload}`,
        `${base}not-a-token`,
        await forgedWith('someone-elses-secret-0123456789-0123456789'),
      ]) {
        const res = await api.evidence.uploads.request(url, {
          method: 'PUT',
          headers: upload.headers,
          body: randomBytes(16),
        });
        expect(res.status, url).toBe(403);
        expect(await errorOf(res)).toBe('upload_url_invalid');
      }
      await expectNothingWritten(upload);
    });

    it('refuses another content type, more bytes, or fewer, and writes nothing', async () => {
      const upload = await issue(16);
      const wrongType = await put(upload, randomBytes(16), { 'Content-Type': PDF });
      expect(wrongType.status).toBe(400);
      expect(await errorOf(wrongType)).toBe('content_type_mismatch');

      const declaredTooLong = await put(upload, randomBytes(17), { 'Content-Length': '17' });
      expect(declaredTooLong.status).toBe(413);

      // No length given: the stream is counted and cut off at the limit.
      const streamed = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(randomBytes(8));
          controller.close();
        },
      });
      const tooLong = await api.evidence.uploads.request(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: streamed,
        duplex: 'half',
      } as RequestInit);
      expect(tooLong.status).toBe(413);
      expect(await errorOf(tooLong)).toBe('upload_too_large');

      const tooShort = await put(upload, randomBytes(15));
      expect(tooShort.status).toBe(400);
      expect(await errorOf(tooShort)).toBe('upload_size_mismatch');

      await expectNothingWritten(upload);
      // The same URL still works for the right bytes, until it expires.
      expect((await put(upload, randomBytes(16))).status).toBe(201);
      expect(await api.evidence.store.exists(upload.fileKey)).toBe(true);
    });

    it('answers a CORS preflight for a browser PUT from the pages', async () => {
      const upload = await issue();
      const res = await api.evidence.uploads.request(upload.uploadUrl, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:8787',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
    });
  });

  describe('downloads', () => {
    const TITLE = '适龄儿童花名册(签字版)';
    let duty: Duty;
    let fileKey: string;
    let bytes: Buffer;

    const fileNameOf = (key: string) => key.split('/').at(-1) ?? '';
    const askDownload = (dutyId: string, fileName: string, as = OFFICE) =>
      api.call<EvidenceDownload>('GET', `/v1/duties/${dutyId}/evidence-files/${fileName}`, { as });
    const uploadFile = async (dutyId: string, body: Uint8Array, as = VILLAGE, fileName = 'roster.pdf') => {
      const res = await requestUpload(dutyId, { fileName, contentType: PDF, size: body.byteLength }, as);
      expect(res.status, res.text).toBe(201);
      expect((await put(res.body, body)).status).toBe(201);
      return res.body.fileKey;
    };

    /** A signed-in page request, as the browser sends it with its session cookie. */
    const pageAs = async (principal: typeof OFFICE, path: string, init: RequestInit = {}) => {
      const token = await issueHs256Token(TEST_SECRET, principal);
      return api.app.request(path, {
        ...init,
        headers: { cookie: `duban_session=${token}`, ...(init.headers as Record<string, string>) },
      });
    };

    beforeAll(async () => {
      duty = await newDuty();
      bytes = randomBytes(5_000);
      fileKey = await uploadFile(duty.id, bytes);
      const submitted = await api.call('POST', `/v1/duties/${duty.id}/submit`, {
        as: VILLAGE,
        body: { note: '花名册已签字', evidence: [{ title: TITLE, ref: fileKey }] },
      });
      expect(submitted.status, submitted.text).toBe(200);
    });

    it('gives the office, the unit and the unit above a 5-minute URL that returns the bytes', async () => {
      for (const as of [OFFICE, LEADER, VILLAGE, unitUser('town'), unitUser('county')]) {
        const res = await askDownload(duty.id, fileNameOf(fileKey), as);
        expect(res.status, `${JSON.stringify(as)}: ${res.text}`).toBe(200);
        expect(res.body.expiresAt).toBe('2026-05-16T02:05:00.000Z');
        expect(res.body.downloadUrl.startsWith(`${EVIDENCE_ORIGIN}${LOCAL_EVIDENCE_PATH}/`)).toBe(true);
        const file = await api.evidence.uploads.request(res.body.downloadUrl);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe(PDF);
        expect(file.headers.get('content-length')).toBe(String(bytes.byteLength));
        // Downloaded under the title the unit gave it, with an ASCII fallback from the key.
        expect(file.headers.get('content-disposition')).toBe(
          `attachment; filename="${fileNameOf(fileKey)}"; filename*=UTF-8''${encodeURIComponent('适龄儿童花名册')}%28${encodeURIComponent('签字版')}%29.pdf`,
        );
        expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), bytes)).toBe(0);
      }
    });

    it('keeps an accepted file as submitted: a second PUT to its URL is refused, and the record holds its size and hash', async () => {
      const own = await newDuty();
      const original = randomBytes(2_000);
      const issued = await requestUpload(own.id, { fileName: 'roster.pdf', contentType: PDF, size: 2_000 });
      expect((await put(issued.body, original)).status).toBe(201);
      const submitted = await api.call<Duty>('POST', `/v1/duties/${own.id}/submit`, {
        as: VILLAGE,
        body: { note: '花名册已签字', evidence: [{ title: TITLE, ref: issued.body.fileKey }] },
      });
      expect(submitted.status, submitted.text).toBe(200);
      expect(submitted.body.submission?.evidence).toEqual([
        {
          title: TITLE,
          ref: issued.body.fileKey,
          size: 2_000,
          sha256: createHash('sha256').update(original).digest('hex'),
        },
      ]);
      expect((await api.call('POST', `/v1/duties/${own.id}/accept`, { body: {} })).status).toBe(200);

      // The upload URL is still valid: a second PUT of other bytes must not replace the file.
      const swap = await put(issued.body, randomBytes(2_000));
      expect(swap.status).toBe(412);
      expect(((await swap.json()) as ErrorBody).error.code).toBe('evidence_exists');
      const res = await askDownload(own.id, fileNameOf(issued.body.fileKey));
      const file = await api.evidence.uploads.request(res.body.downloadUrl);
      expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), original)).toBe(0);
    });

    it('refuses to serve a submitted file whose bytes no longer match the record', async () => {
      const own = await newDuty();
      const key = await uploadFile(own.id, randomBytes(1_000));
      expect(
        (
          await api.call('POST', `/v1/duties/${own.id}/submit`, {
            as: VILLAGE,
            body: { note: '已报送', evidence: [{ title: TITLE, ref: key }] },
          })
        ).status,
      ).toBe(200);
      // Changed behind the store's back (on disk): the download must not pass the new bytes on.
      await writeFile(join(api.evidence.dir, key), randomBytes(1_000));
      const res = await askDownload(own.id, fileNameOf(key));
      expect(res.status).toBe(200);
      const file = await api.evidence.uploads.request(res.body.downloadUrl);
      expect(file.status).toBe(409);
      expect(((await file.json()) as ErrorBody).error.code).toBe('evidence_altered');
    });

    it('refuses another unit with 403, and answers 404 for an unknown duty, file, or another duty’s file', async () => {
      const other = await askDownload(duty.id, fileNameOf(fileKey), unitUser('other'));
      expect(other.status).toBe(403);
      expect((other.body as unknown as ErrorBody).error.code).toBe('forbidden');

      const otherDuty = await newDuty('other');
      const foreignKey = await uploadFile(otherDuty.id, randomBytes(4), unitUser('other'));
      for (const [dutyId, fileName] of [
        ['no-such-duty', fileNameOf(fileKey)],
        [duty.id, 'f-0000000000aaaaaaaaaa-missing.pdf'],
        // Another duty's stored file, asked for under this duty: not this duty's.
        [duty.id, fileNameOf(foreignKey)],
        [duty.id, 'NOT-A-KEY.pdf'],
        [duty.id, '..%2F..%2Fetc%2Fpasswd'],
      ] as const) {
        const res = await askDownload(dutyId, fileName);
        expect(res.status, `${dutyId}/${fileName}: ${res.text}`).toBe(404);
      }
      // The other duty's file is there for the other duty.
      expect((await askDownload(otherDuty.id, fileNameOf(foreignKey))).status).toBe(200);
    });

    it('opens a stored file of an open duty before it is submitted (the unit checks its upload)', async () => {
      const open = await newDuty();
      const key = await uploadFile(open.id, randomBytes(7), VILLAGE, 'Scan 01.pdf');
      const res = await askDownload(open.id, fileNameOf(key), VILLAGE);
      expect(res.status, res.text).toBe(200);
      const file = await api.evidence.uploads.request(res.body.downloadUrl);
      expect(file.headers.get('content-disposition')).toContain(`filename="${fileNameOf(key)}"`);
      expect((await file.arrayBuffer()).byteLength).toBe(7);
    });

    it('refuses an expired, forged or altered download URL with 403, and an upload URL used to read', async () => {
      const res = await askDownload(duty.id, fileNameOf(fileKey));
      const url = res.body.downloadUrl;
      api.setNow(new Date(NOW.getTime() + 5 * 60_000));
      try {
        const late = await api.evidence.uploads.request(url);
        expect(late.status).toBe(403);
        expect(((await late.json()) as ErrorBody).error.code).toBe('download_url_expired');
      } finally {
        api.setNow(NOW);
      }
      const [payload = '', signature = ''] = url.split('/').at(-1)?.split('.') ?? [];
      const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const base = `${EVIDENCE_ORIGIN}${LOCAL_EVIDENCE_PATH}/`;
      const stranger = localEvidenceStore({
        dir: api.evidence.dir,
        secret: 'someone-elses-secret-0123456789-0123456789',
        baseUrl: () => EVIDENCE_ORIGIN,
      });
      const open = await newDuty();
      const upload = await requestUpload(open.id, { fileName: 'a.pdf', contentType: PDF, size: 3 });
      for (const forged of [
        `${base}${enc({ ...grant, e: Number(grant.e) + 86_400 })}.${signature}`,
        `${base}${enc({ ...grant, k: `duties/${duty.id}/f-0000000000aaaaaaaaaa-evil.pdf` })}.${signature}`,
        `${base}${payload}.${signature.slice(0, -2)}AA`,
        `${base}${payload}`,
        (
          await stranger.createDownload({
            key: fileKey,
            fileName: 'x.pdf',
            expiresInSeconds: 300,
            now: NOW,
          })
        ).url,
        // An upload token is signed with another key: it never reads a file.
        upload.body.uploadUrl,
      ]) {
        const refused = await api.evidence.uploads.request(forged);
        expect(refused.status, forged).toBe(403);
        expect(((await refused.json()) as ErrorBody).error.code).toBe('download_url_invalid');
      }
    });

    it('links the file on the review queue; following the link redirects to the file', async () => {
      const page = await pageAs(OFFICE, `/plans/${plan.id}/review`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const href = `/duties/${duty.id}/evidence/${fileNameOf(fileKey)}`;
      expect(html).toContain(`href="${href}"`);
      expect(html).not.toContain(`<code>${fileKey}</code>`);

      const redirect = await pageAs(OFFICE, href);
      expect(redirect.status).toBe(303);
      const location = redirect.headers.get('location') ?? '';
      expect(location.startsWith(`${EVIDENCE_ORIGIN}${LOCAL_EVIDENCE_PATH}/`)).toBe(true);
      const file = await api.evidence.uploads.request(location);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe(PDF);
      expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), bytes)).toBe(0);

      // The same rules as the API: another unit is refused, an unknown file is not found.
      expect((await pageAs(unitUser('other'), href)).status).toBe(403);
      expect((await pageAs(OFFICE, `/duties/${duty.id}/evidence/f-0000000000aaaaaaaaaa-x.pdf`)).status).toBe(
        404,
      );
    });

    it('issues upload URLs to the duty page’s script: session, origin and anti-forgery token checked', async () => {
      const open = await newDuty();
      const token = await issueHs256Token(TEST_SECRET, VILLAGE);
      const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        api.app.request(`/duties/${open.id}/evidence-uploads`, {
          method: 'POST',
          body: new URLSearchParams(fields).toString(),
          headers: {
            cookie: `duban_session=${token}`,
            'content-type': 'application/x-www-form-urlencoded',
            origin: 'http://localhost',
            ...headers,
          },
        });
      const good = { _csrf: csrfTokenFor(token), fileName: '花名册.pdf', contentType: PDF, size: '6' };

      const page = await pageAs(VILLAGE, `/duties/${open.id}`);
      const html = await page.text();
      expect(html).toContain(`data-uploads="/duties/${open.id}/evidence-uploads"`);
      expect(html).toContain('单个文件不超过 20 MiB');
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");

      const res = await post(good);
      expect(res.status).toBe(201);
      const upload = (await res.json()) as EvidenceUpload;
      expect(upload.fileKey.startsWith(`duties/${open.id}/`)).toBe(true);
      expect((await put(upload, randomBytes(6))).status).toBe(201);
      expect(await api.evidence.store.exists(upload.fileKey)).toBe(true);

      const tooBig = await post({ ...good, size: String(EVIDENCE_MAX_BYTES + 1) });
      expect(tooBig.status).toBe(400);
      expect(((await tooBig.json()) as ErrorBody).error.message).toContain('20 MiB');
      const wrongType = await post({ ...good, fileName: 'a.exe', contentType: 'application/x-msdownload' });
      expect(wrongType.status).toBe(400);
      expect(((await wrongType.json()) as ErrorBody).error.message).toContain('不支持的文件类型');

      expect((await post({ ...good, _csrf: 'forged' })).status).toBe(403);
      expect((await post(good, { origin: 'https://evil.example' })).status).toBe(403);
      const other = await api.app.request(`/duties/${open.id}/evidence-uploads`, {
        method: 'POST',
        body: new URLSearchParams({
          ...good,
          _csrf: csrfTokenFor(await issueHs256Token(TEST_SECRET, unitUser('other'))),
        }).toString(),
        headers: {
          cookie: `duban_session=${await issueHs256Token(TEST_SECRET, unitUser('other'))}`,
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
        },
      });
      expect(other.status).toBe(403);
      expect(((await other.json()) as ErrorBody).error.code).toBe('forbidden');
    });
  });
});
