import { Hono } from 'hono';
import { decide } from '../../../shared/domain/access/policy.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import {
  CreateCareFileSchema,
  CreateCareRecordSchema,
  SetUpPairSchema,
} from '../../../shared/schemas/care-files.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, unitDirectory, type WebContext } from '../context.js';
import { type FieldErrors, fromServiceError, fromZod, optional, readForm } from '../forms.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { CareFilePage, CareFilesPage, type Draft } from './care-files-view.js';

const PAGE_SIZE = 100;

/** The township a school sits under, read up the directory (undefined when there is none). */
function townshipOf(units: ReadonlyMap<string, Unit>, unitId: string): string | undefined {
  const seen = new Set<string>();
  let at = units.get(unitId)?.parentId ?? null;
  while (at !== null && !seen.has(at)) {
    seen.add(at);
    const unit = units.get(at);
    if (unit?.kind === 'township') return unit.id;
    at = unit?.parentId ?? null;
  }
  return undefined;
}

/** The fields of a submitted form, as typed (to show again beside their problems). */
async function draftOf(c: WebContext): Promise<Draft> {
  const form = await readForm(c);
  return Object.fromEntries([...form].map(([name, values]) => [name, values[0] ?? '']));
}

/**
 * 留守儿童关爱档案 (一人一案): the files the signed-in user may see, masked, with a school's form for
 * a new one; one file whole (the service audits the view), with its support records, its pairs and
 * the forms to add a record (the school) and set up a 师生结对 (the office).
 */
export function careFilePages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function list(c: WebContext, draft?: Draft, errors?: FieldErrors) {
    const p = c.get('principal');
    const [units, page] = await Promise.all([
      unitDirectory(deps, p),
      deps.careFiles.list(p, {}, { limit: PAGE_SIZE }),
    ]);
    const canFile = p.role === 'unit' && decide(p, 'care.write', { ownerUnitId: p.unitId }).allowed;
    return c.html(
      <CareFilesPage
        chrome={chromeOf(c, { active: 'cases' })}
        items={page.items}
        more={page.nextCursor !== null}
        unitName={(id) => units.get(id)?.name ?? id}
        canFile={canFile}
        draft={draft}
        errors={errors}
      />,
      errors === undefined ? 200 : 400,
    );
  }

  async function show(
    c: WebContext,
    id: string,
    form?: 'record' | 'pair',
    draft?: Draft,
    errors?: FieldErrors,
  ) {
    const p = c.get('principal');
    const now = deps.clock();
    const mayPair = decide(p, 'task.create').allowed;
    const [units, file, plans] = await Promise.all([
      unitDirectory(deps, p),
      deps.careFiles.view(p, id, now),
      mayPair ? deps.plans.list(p, { limit: 50 }) : undefined,
    ]);
    return c.html(
      <CareFilePage
        chrome={chromeOf(c, { active: 'cases' })}
        file={file}
        unitName={(unitId) => units.get(unitId)?.name ?? unitId}
        canRecord={decide(p, 'care.write', { ownerUnitId: file.schoolUnitId }).allowed}
        plans={plans?.items}
        today={localDateOf(now, 'Asia/Shanghai')}
        form={form}
        draft={draft}
        errors={errors}
      />,
      errors === undefined ? 200 : 400,
    );
  }

  /** Runs a service call; a 400 of its own comes back as field errors, anything else is thrown. */
  async function attempt(run: () => Promise<unknown>): Promise<FieldErrors | undefined> {
    try {
      await run();
      return undefined;
    } catch (err) {
      const errors = fromServiceError(err);
      if (errors === undefined) throw err;
      return errors;
    }
  }

  app.get('/care-files', signedIn, (c) => list(c));

  app.post('/care-files', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const draft = await draftOf(c);
    const schoolUnitId = p.unitId ?? '';
    const units = await unitDirectory(deps, p);
    const parsed = CreateCareFileSchema.safeParse({
      childName: draft.childName,
      grade: draft.grade,
      className: draft.className,
      schoolUnitId,
      townshipUnitId: townshipOf(units, schoolUnitId) ?? '',
      village: draft.village,
      guardian: {
        name: draft.guardianName,
        phone: draft.guardianPhone,
        relation: optional(draft.guardianRelation ?? ''),
      },
      away: draft.away,
    });
    if (!parsed.success) return list(c, draft, fromZod(parsed.error));
    const errors = await attempt(() => deps.careFiles.create(p, parsed.data, deps.clock()));
    return errors === undefined ? c.redirect('/care-files?ok=care-file', 303) : list(c, draft, errors);
  });

  app.get('/care-files/:careFileId', signedIn, (c) => show(c, pathId(c, 'careFileId', '关爱档案')));

  app.post('/care-files/:careFileId/records', signedIn, checkForm, async (c) => {
    const id = pathId(c, 'careFileId', '关爱档案');
    const draft = await draftOf(c);
    const parsed = CreateCareRecordSchema.safeParse({
      kind: draft.kind,
      date: draft.date,
      by: draft.by,
      content: draft.content,
    });
    if (!parsed.success) return show(c, id, 'record', draft, fromZod(parsed.error));
    let submitted = false;
    const errors = await attempt(async () => {
      const added = await deps.careFiles.addRecord(c.get('principal'), id, parsed.data, deps.clock());
      submitted = added.duty?.submittedNow === true;
    });
    if (errors !== undefined) return show(c, id, 'record', draft, errors);
    return c.redirect(`/care-files/${id}?ok=${submitted ? 'care-record-duty' : 'care-record'}`, 303);
  });

  app.post('/care-files/:careFileId/pairs', signedIn, checkForm, async (c) => {
    const id = pathId(c, 'careFileId', '关爱档案');
    const draft = await draftOf(c);
    const [planId = '', phaseKey = ''] = (draft.planPhase ?? '').split('/');
    const parsed = SetUpPairSchema.safeParse({
      teacher: { name: draft.teacherName, phone: draft.teacherPhone },
      planId,
      phaseKey,
    });
    if (!parsed.success) return show(c, id, 'pair', draft, fromZod(parsed.error));
    const errors = await attempt(() =>
      deps.carePairs.setUp(c.get('principal'), { kind: 'care-file', id }, parsed.data, deps.clock()),
    );
    return errors === undefined
      ? c.redirect(`/care-files/${id}?ok=care-pair`, 303)
      : show(c, id, 'pair', draft, errors);
  });

  return app;
}
