import { Hono } from 'hono';
import {
  type CreateEvidenceUploadInput,
  CreateEvidenceUploadSchema,
  type EvidenceUpload,
} from '../../../shared/schemas/evidence.js';
import { evidenceKeyOf } from '../../../shared/services/evidence-service.js';
import type { AppDeps } from '../../api/deps.js';
import { classifyError } from '../../http/classify-error.js';
import { pathId, type WebContext } from '../context.js';
import { fromZod, one, readForm } from '../forms.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

/**
 * The upload script's request for an upload URL (a form with the file's name, type and size),
 * answered as JSON: the URL from `create`, or the problem for the script to show.
 */
export async function uploadAnswer(
  c: WebContext,
  create: (input: CreateEvidenceUploadInput) => Promise<EvidenceUpload>,
): Promise<Response> {
  const form = await readForm(c);
  const size = one(form, 'size').trim();
  const parsed = CreateEvidenceUploadSchema.safeParse({
    fileName: one(form, 'fileName'),
    contentType: one(form, 'contentType'),
    size: /^\d{1,12}$/.test(size) ? Number(size) : undefined,
  });
  if (!parsed.success) {
    const fields = fromZod(parsed.error);
    return c.json(
      {
        error: {
          code: 'validation_failed',
          message: Object.values(fields).join(';'),
          details: { fields: Object.entries(fields).map(([field, message]) => ({ field, message })) },
        },
      },
      400,
    );
  }
  try {
    return c.json(await create(parsed.data), 201);
  } catch (err) {
    // The script shows the message; anything unexpected goes to the pages' error handler.
    const e = classifyError(err);
    if (e.unexpected) throw err;
    return c.json({ error: { code: e.code, message: e.message } }, e.status);
  }
}

/**
 * A duty's evidence files from the pages: opening one (a redirect to its short-lived download URL,
 * for whoever may read the duty) and, for the submit form's upload script, asking for an upload URL
 * (a JSON answer, with the session and the form's anti-forgery token checked as for any form).
 */
export function evidencePages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/duties/:dutyId/evidence/:fileName', signedIn, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const key = evidenceKeyOf(dutyId, c.req.param('fileName'));
    const download = await deps.evidence.createDownload(c.get('principal'), dutyId, key, deps.clock());
    return c.redirect(download.downloadUrl, 303);
  });

  app.post('/duties/:dutyId/evidence-uploads', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    return uploadAnswer(c, (input) =>
      deps.evidence.createUpload(c.get('principal'), dutyId, input, deps.clock()),
    );
  });

  return app;
}
