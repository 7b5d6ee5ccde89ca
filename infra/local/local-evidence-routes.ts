import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { AppError } from '../../shared/errors.js';
import { errorField, writeLog } from '../../shared/log.js';
import { LOCAL_EVIDENCE_PATH, type LocalEvidenceStore } from './local-evidence-store.js';

/** A fetch handler as Hono apps and @hono/node-server share it. */
export type FetchHandler = (request: Request, env?: object) => Response | Promise<Response>;

/**
 * `PUT /local-evidence/{token}`: the local stand-in for S3's presigned PUT (and `GET` for its
 * presigned download), served by the local
 * runtime only (Lambda never mounts it; in AWS the browser sends the file to S3). It checks the
 * token, the content type and the size, streams the body to the data folder under a byte limit,
 * and answers 201; a key already taken is 412, as S3 answers a PUT with `If-None-Match: *`. Like the bucket, it allows the PUT from any origin: the signed token is the
 * credential, not the page it comes from.
 */
export function localEvidenceRoutes(options: {
  store: LocalEvidenceStore;
  clock: () => Date;
  logError?: (entry: Record<string, unknown>) => void;
}) {
  const { store, clock } = options;
  const logError = options.logError ?? ((entry) => writeLog({ ...entry, level: 'error' }));
  const app = new Hono();

  app.use(
    `${LOCAL_EVIDENCE_PATH}/*`,
    cors({
      origin: '*',
      allowMethods: ['PUT'],
      allowHeaders: ['Content-Type', 'If-None-Match'],
      maxAge: 3000,
    }),
  );

  app.put(`${LOCAL_EVIDENCE_PATH}/:token`, async (c) => {
    const grant = store.verify(c.req.param('token'), clock());
    // Exactly the signed type, as S3 compares a signed header byte for byte.
    const contentType = c.req.header('content-type')?.trim();
    if (contentType !== grant.contentType) {
      throw new AppError(
        400,
        'content_type_mismatch',
        `Content-Type 须为申请上传时的 ${grant.contentType},收到的是 ${contentType ?? '(未提供)'}`,
      );
    }
    // A declared length tells early what the stream would tell late; the stream is still counted.
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > grant.size) {
      throw new AppError(413, 'upload_too_large', `文件超过申请上传时申报的 ${grant.size} 字节`);
    }
    await store.write(grant, c.req.raw.body);
    return c.json({ fileKey: grant.key, size: grant.size }, 201);
  });

  // The stand-in for S3's presigned GET: the token (signed with its own key) names the file and
  // the name it downloads under; the file is streamed, never read whole.
  app.get(`${LOCAL_EVIDENCE_PATH}/:token`, async (c) => {
    const file = await store.read(store.verifyDownload(c.req.param('token'), clock()));
    return c.body(file.body, 200, {
      'content-type': file.contentType,
      'content-length': String(file.size),
      'content-disposition': file.contentDisposition,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });

  app.notFound((c) => c.json({ error: { code: 'route_not_found', message: '没有此接口' } }, 404));
  app.onError((err, c) => {
    if (err instanceof AppError) {
      return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
    }
    logError({
      level: 'error',
      message: 'local evidence upload failed',
      path: c.req.path,
      error: errorField(err),
    });
    return c.json({ error: { code: 'internal', message: '服务器内部错误,请稍后重试或联系管理员' } }, 500);
  });
  return app;
}

/** Sends `/local-evidence/…` to the upload routes and everything else to `next` (the app). */
export function withLocalEvidence(uploads: { fetch: FetchHandler }, next: FetchHandler): FetchHandler {
  const prefix = `${LOCAL_EVIDENCE_PATH}/`;
  return (request, env) =>
    new URL(request.url).pathname.startsWith(prefix) ? uploads.fetch(request, env) : next(request, env);
}
