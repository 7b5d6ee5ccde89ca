import { Hono } from 'hono';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import { type CaseListItem, genderLabel } from '../../../shared/schemas/cases.js';
import { evidenceKeyOf } from '../../../shared/services/evidence-service.js';
import type { AppDeps } from '../../api/deps.js';
import {
  CaseActionForms,
  type CaseFormFailed,
  type CaseFormName,
  caseRights,
  type FormValues,
  KeptMaterial,
  registryFrom,
  returnFrom,
  stepFrom,
} from '../case-forms.js';
import { chromeOf, pathId, unitDirectory, type WebContext } from '../context.js';
import { EvidenceUploadScript } from '../fields.js';
import { formKeyOf, newFormKey, oncePerForm } from '../form-key.js';
import { dateTime } from '../format.js';
import { type FieldErrors, type FormFields, readForm, refusalOf } from '../forms.js';
import { Page } from '../layout.js';
import { pageCsp } from '../page-headers.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { uploadAnswer } from './evidence.js';

export const STAGE_BADGE: Record<CaseListItem['stage'], string> = {
  absent: '',
  suspected: 'b-yellow',
  dropout: 'b-red',
  returned: 'b-green',
};

const OK_TEXT: Record<string, string> = {
  created: '已登记缺课。',
  step: '已保存劝返记录。',
  returned: '已登记复学,劝返结束。请在学籍系统中更新后确认。',
  registry: '已确认学籍系统更新。',
};

/**
 * One case whole (the service audits the view before it is shown), with the forms of those who may
 * act on it; a form that came back shows again with its problems (400) or what happened first (409).
 */
async function showCase(
  deps: AppDeps,
  c: WebContext,
  caseId: string,
  failed?: CaseFormFailed,
  status: 200 | 400 | 409 = 200,
) {
  const p = c.get('principal');
  const now = deps.clock();
  const [units, k] = await Promise.all([unitDirectory(deps, p), deps.cases.view(p, caseId, now)]);
  const name = (id: string) => units.get(id)?.name ?? id;
  const rights = caseRights(p, units, k.schoolUnitId);
  const uploads = k.returnedOn === null && (rights.steps.length > 0 || rights.school);
  // The forms' upload script sends files to the upload origin (S3 in AWS).
  if (uploads) c.header('content-security-policy', pageCsp(deps.web?.evidenceUploadOrigin));
  const ok = OK_TEXT[c.req.query('ok') ?? ''];
  return c.html(
    <Page title={`控辍保学 · ${k.childName}`} chrome={chromeOf(c, { active: 'cases' })}>
      <h1>
        {k.childName}{' '}
        <span class={`badge ${STAGE_BADGE[k.stage]}`} data-stage={k.stage}>
          {k.stageLabel}
        </span>
      </h1>
      {ok !== undefined && failed === undefined && (
        <p class="flash ok" role="status">
          {ok}
        </p>
      )}
      <p class="card muted">本页显示未脱敏的个人信息,您的查看已记入审计。</p>
      <dl class="card" data-case={k.id}>
        <dt>学校</dt>
        <dd>
          {name(k.schoolUnitId)}({name(k.townshipUnitId)}) {k.grade}
          {k.className}
        </dd>
        <dt>性别 / 出生年月</dt>
        <dd>
          {genderLabel(k.gender)} / {k.birthYearMonth ?? (k.age === null ? '—' : `${k.age} 岁`)}
        </dd>
        <dt>来源</dt>
        <dd data-roster-row={k.rosterRow?.entryId}>
          {k.rosterRow === null
            ? '手工登记'
            : `来自花名册:${k.rosterRow.kindLabel}(学期 ${k.rosterRow.semesterId})`}
        </dd>
        <dt>居住村</dt>
        <dd>{k.village ?? '—'}</dd>
        <dt>学籍号</dt>
        <dd>{k.registryNumber ?? '—'}</dd>
        <dt>监护人</dt>
        <dd>
          {k.guardian.name} {k.guardian.phone}
        </dd>
        <dt>包保教师 / 校领导</dt>
        <dd>
          {k.teacher.name} {k.teacher.phone} / {k.leader.name} {k.leader.phone}
        </dd>
        <dt>缺课首日 / 疑似辍学 / 认定辍学</dt>
        <dd>
          {k.firstDayAbsent} / {k.suspectedOn} / {k.dropoutOn}
        </dd>
        <dt>下一步</dt>
        <dd>
          {k.next === null ? '—' : `${k.next.label},${k.next.dueOn} 前${k.next.late ? '(已逾期)' : ''}`}
        </dd>
        <dt>复学</dt>
        <dd data-returned={k.returnedOn ?? ''}>
          {k.returnedOn === null ? (
            '未复学'
          ) : (
            <>
              {k.returnedOn}(
              {k.returnEvidence === null ? '' : <KeptMaterial caseId={k.id} text={k.returnEvidence} />}
              );学籍系统
              {k.registryUpdatedOn === null ? '待更新' : `已于 ${k.registryUpdatedOn} 更新`}
            </>
          )}
        </dd>
      </dl>
      <h2>劝返记录</h2>
      {k.steps.length === 0 ? (
        <p class="card">还没有劝返记录。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>日期</th>
              <th>措施</th>
              <th>办理人</th>
              <th>方式</th>
              <th>结果</th>
              <th>留存材料</th>
              <th>登记时间</th>
            </tr>
          </thead>
          <tbody>
            {k.steps.map((s) => (
              <tr data-step={s.id}>
                <td>{s.date}</td>
                <td>{s.label}</td>
                <td>{s.by}</td>
                <td>{s.method}</td>
                <td>{s.result}</td>
                <td>
                  {s.evidence.map((e, i) => (
                    <>
                      {i > 0 && '、'}
                      <KeptMaterial caseId={k.id} text={e} />
                    </>
                  ))}
                </td>
                <td>{dateTime(s.recordedAt, 'Asia/Shanghai', now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CaseActionForms
        k={k}
        rights={rights}
        csrfToken={c.get('csrfToken')}
        today={localDateOf(now, 'Asia/Shanghai')}
        formKey={failed === undefined ? newFormKey() : (failed.values._formKey ?? newFormKey())}
        failed={failed}
      />
      {uploads && EvidenceUploadScript}
      <p>
        <a href="/cases">返回控辍保学</a>
      </p>
    </Page>,
    status,
  );
}

/**
 * The case page and its forms: a 劝返 step, the return, the 学籍系统 confirmation (each once per
 * rendered form, then back to the case), and the case's files (uploads for the forms' script,
 * downloads for whoever may read the case, each audited).
 */
export function casePageRoutes(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/cases/:caseId', signedIn, (c) => showCase(deps, c, pathId(c, 'caseId', '案例')));

  /** A case form: parsed, then done once through the service, or shown again with what went wrong. */
  function caseForm<T>(
    name: CaseFormName,
    parse: (
      form: FormFields,
      caseId: string,
    ) => { values: FormValues } & ({ input: T } | { errors: FieldErrors }),
    act: (c: WebContext, caseId: string, input: T) => Promise<unknown>,
    ok: string,
  ) {
    return async (c: WebContext) => {
      const caseId = pathId(c, 'caseId', '案例');
      const form = await readForm(c);
      const parsed = parse(form, caseId);
      const values = { ...parsed.values, _formKey: formKeyOf(form) };
      if ('errors' in parsed)
        return showCase(deps, c, caseId, { form: name, errors: parsed.errors, values }, 400);
      const { input } = parsed;
      return oncePerForm(deps, c, form, async () => {
        try {
          await act(c, caseId, input);
        } catch (err) {
          const refusal = refusalOf(err);
          return 'conflict' in refusal
            ? showCase(deps, c, caseId, { form: name, conflict: refusal.conflict, values }, 409)
            : showCase(deps, c, caseId, { form: name, errors: refusal.errors, values }, 400);
        }
        return `/cases/${caseId}?ok=${ok}`;
      });
    };
  }

  app.post(
    '/cases/:caseId/steps',
    signedIn,
    checkForm,
    caseForm(
      'step',
      stepFrom,
      (c, id, input) => deps.cases.addStep(c.get('principal'), id, input, deps.clock()),
      'step',
    ),
  );
  app.post(
    '/cases/:caseId/return',
    signedIn,
    checkForm,
    caseForm(
      'return',
      returnFrom,
      (c, id, input) => deps.cases.recordReturn(c.get('principal'), id, input, deps.clock()),
      'returned',
    ),
  );
  app.post(
    '/cases/:caseId/registry-updated',
    signedIn,
    checkForm,
    caseForm(
      'registry',
      registryFrom,
      (c, id, input) => deps.cases.confirmRegistry(c.get('principal'), id, input, deps.clock()),
      'registry',
    ),
  );

  app.post('/cases/:caseId/evidence-uploads', signedIn, checkForm, async (c) => {
    const caseId = pathId(c, 'caseId', '案例');
    return uploadAnswer(c, (input) =>
      deps.evidence.createCaseUpload(c.get('principal'), caseId, input, deps.clock()),
    );
  });

  app.get('/cases/:caseId/evidence/:fileName', signedIn, async (c) => {
    const caseId = pathId(c, 'caseId', '案例');
    const key = evidenceKeyOf(caseId, c.req.param('fileName'));
    const download = await deps.evidence.createCaseDownload(c.get('principal'), caseId, key, deps.clock());
    return c.redirect(download.downloadUrl, 303);
  });

  return app;
}
