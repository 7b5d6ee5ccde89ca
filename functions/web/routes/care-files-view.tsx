import type { FC } from 'hono/jsx';
import {
  AWAY_KINDS,
  AWAY_LABELS,
  CARE_RECORD_KINDS,
  CARE_RECORD_LABELS,
} from '../../../shared/domain/care/care-file.js';
import type { CareFile, CareFileListItem, CarePairDuty } from '../../../shared/schemas/care-files.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { errorsUnder, type FieldErrors } from '../forms.js';
import { type Chrome, Csrf, FieldError, Page } from '../layout.js';

/** What a form sent back, to show again with its problems. */
export type Draft = Record<string, string>;

const Input: FC<{
  name: string;
  label: string;
  draft: Draft | undefined;
  errors: FieldErrors | undefined;
  field?: string;
  type?: string;
}> = ({ name, label, draft, errors, field, type }) => (
  <label>
    {label}
    <input name={name} type={type ?? 'text'} value={draft?.[name] ?? ''} />
    <FieldError messages={errorsUnder(errors, field ?? name)} />
  </label>
);

const STATE_BADGE: Record<CarePairDuty['state'], string> = {
  recorded: 'b-green',
  pending: 'b-yellow',
  overdue: 'b-red',
};

/** A pair's duty of this period: its state in a light, linked to the duty; none when the plan has none. */
const PeriodDuty: FC<{ what: string; duty: CarePairDuty | null }> = ({ what, duty }) =>
  duty === null ? (
    <span data-period={what}>
      {what}:<span class="muted">本期无任务</span>
    </span>
  ) : (
    <span data-period={what} data-state={duty.state}>
      {what}({duty.periodLabel}):
      <a href={`/duties/${duty.dutyId}`}>
        <span class={`badge ${STATE_BADGE[duty.state]}`}>{duty.stateLabel}</span>
      </a>
    </span>
  );

/** 留守儿童关爱档案: the caller's files, masked; a school's form for a new one. */
export const CareFilesPage: FC<{
  chrome: Chrome;
  items: readonly CareFileListItem[];
  more: boolean;
  unitName: (id: string) => string;
  canFile: boolean;
  draft?: Draft | undefined;
  errors?: FieldErrors | undefined;
}> = ({ chrome, items, more, unitName, canFile, draft, errors }) => (
  <Page title="留守儿童关爱档案" chrome={chrome}>
    <h1>留守儿童关爱档案(一人一案)</h1>
    <p class="card row">
      <a href="/cases">返回控辍保学</a>
      <small>姓名、电话已脱敏;查看档案会记入审计。</small>
    </p>
    {items.length === 0 ? (
      <p class="card">还没有关爱档案。</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>儿童</th>
            <th>年级班级</th>
            <th>学校</th>
            <th>乡镇</th>
            <th>外出情况</th>
            <th>监护人电话</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f) => (
            <tr data-care-file={f.id}>
              <td>
                <a href={`/care-files/${f.id}`}>{f.childNameMasked}</a>
              </td>
              <td>
                {f.grade}
                {f.className}
              </td>
              <td>{unitName(f.schoolUnitId)}</td>
              <td>{unitName(f.townshipUnitId)}</td>
              <td>{f.awayLabel}</td>
              <td>{f.guardianPhoneMasked}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {more && <p class="muted">仅显示前 100 份档案。</p>}
    {canFile && (
      <form method="post" action="/care-files" class="card">
        <Csrf token={chrome.csrfToken} />
        <h2>新建关爱档案</h2>
        <Input name="childName" label="儿童姓名" draft={draft} errors={errors} />
        <Input name="grade" label="年级" draft={draft} errors={errors} />
        <Input name="className" label="班级" draft={draft} errors={errors} />
        <Input name="village" label="居住村(社区)" draft={draft} errors={errors} />
        <Input name="guardianName" label="监护人姓名" draft={draft} errors={errors} field="guardian.name" />
        <Input name="guardianPhone" label="监护人电话" draft={draft} errors={errors} field="guardian.phone" />
        <Input
          name="guardianRelation"
          label="与儿童关系(选填)"
          draft={draft}
          errors={errors}
          field="guardian.relation"
        />
        <label>
          外出情况
          <select name="away">
            {AWAY_KINDS.map((k) => (
              <option value={k} selected={draft?.away === k}>
                {AWAY_LABELS[k]}
              </option>
            ))}
          </select>
          <FieldError messages={errorsUnder(errors, 'away')} />
        </label>
        <FieldError
          messages={[...errorsUnder(errors, 'schoolUnitId'), ...errorsUnder(errors, 'townshipUnitId')]}
        />
        <button type="submit">建档</button>
      </form>
    )}
  </Page>
);

/** One care file whole (its view already audited), its records and pairs, and the forms to add to them. */
export const CareFilePage: FC<{
  chrome: Chrome;
  file: CareFile;
  unitName: (id: string) => string;
  canRecord: boolean;
  /** The office's plans to put a pair's duties in; undefined when the caller may not set pairs up. */
  plans: readonly Plan[] | undefined;
  today: string;
  form?: 'record' | 'pair' | undefined;
  draft?: Draft | undefined;
  errors?: FieldErrors | undefined;
}> = ({ chrome, file, unitName, canRecord, plans, today, form, draft, errors }) => {
  const recordDraft = form === 'record' ? draft : { date: today };
  const pairDraft = form === 'pair' ? draft : undefined;
  const recordErrors = form === 'record' ? errors : undefined;
  const pairErrors = form === 'pair' ? errors : undefined;
  return (
    <Page title={`关爱档案 · ${file.childName}`} chrome={chrome}>
      <h1>
        {file.childName} <span class="badge">{file.awayLabel}</span>
      </h1>
      <p class="card muted">本页显示未脱敏的个人信息,您的查看已记入审计。</p>
      <dl class="card" data-care-file={file.id}>
        <dt>学校</dt>
        <dd>
          {unitName(file.schoolUnitId)}({unitName(file.townshipUnitId)}) {file.grade}
          {file.className}
        </dd>
        <dt>居住村</dt>
        <dd>{file.village}</dd>
        <dt>监护人</dt>
        <dd>
          {file.guardian.name}
          {file.guardian.relation === null ? '' : `(${file.guardian.relation})`} {file.guardian.phone}
        </dd>
      </dl>
      <h2>师生结对</h2>
      {file.pairs.length === 0 ? (
        <p class="card">还没有结对教师。</p>
      ) : (
        <ul class="card">
          {file.pairs.map((pair) => (
            <li data-pair={pair.planId}>
              结对教师 {pair.teacher.name} {pair.teacher.phone}
              :每周帮扶记录、每月家访各一项任务(追加帮扶记录或家访即提交当期任务)
              <br />
              <PeriodDuty what="本周帮扶记录" duty={pair.thisWeek} />{' '}
              <PeriodDuty what="本月家访" duty={pair.thisMonth} />
            </li>
          ))}
        </ul>
      )}
      <h2>帮扶记录</h2>
      {file.records.length === 0 ? (
        <p class="card">还没有帮扶记录。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>日期</th>
              <th>类别</th>
              <th>帮扶人</th>
              <th>做了什么</th>
            </tr>
          </thead>
          <tbody>
            {file.records.map((r) => (
              <tr data-record={r.id}>
                <td>{r.date}</td>
                <td>{r.label}</td>
                <td>{r.by}</td>
                <td>{r.content}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canRecord && (
        <form method="post" action={`/care-files/${file.id}/records`} class="card">
          <Csrf token={chrome.csrfToken} />
          <h2>追加帮扶记录</h2>
          <label>
            类别
            <select name="kind">
              {CARE_RECORD_KINDS.map((k) => (
                <option value={k} selected={recordDraft?.kind === k}>
                  {CARE_RECORD_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <Input name="date" label="日期" type="date" draft={recordDraft} errors={recordErrors} />
          <Input name="by" label="帮扶人" draft={recordDraft} errors={recordErrors} />
          <label>
            做了什么
            <textarea name="content">{recordDraft?.content ?? ''}</textarea>
            <FieldError messages={errorsUnder(recordErrors, 'content')} />
          </label>
          <button type="submit">记录</button>
        </form>
      )}
      {plans !== undefined && (
        <form method="post" action={`/care-files/${file.id}/pairs`} class="card">
          <Csrf token={chrome.csrfToken} />
          <h2>设置师生结对帮扶</h2>
          <p class="muted">
            学校将收到每周一项帮扶记录任务(周五 17:00 前)和每月一项家访任务;同一方案重复设置不会重复创建。
          </p>
          <label>
            工作方案和阶段
            <select name="planPhase">
              {plans.flatMap((plan) =>
                plan.phases.map((phase) => (
                  <option
                    value={`${plan.id}/${phase.key}`}
                    selected={pairDraft?.planPhase === `${plan.id}/${phase.key}`}
                  >
                    {plan.title} · {phase.name}
                  </option>
                )),
              )}
            </select>
            <FieldError
              messages={[...errorsUnder(pairErrors, 'planId'), ...errorsUnder(pairErrors, 'phaseKey')]}
            />
          </label>
          <Input
            name="teacherName"
            label="结对教师"
            draft={pairDraft}
            errors={pairErrors}
            field="teacher.name"
          />
          <Input
            name="teacherPhone"
            label="教师电话"
            draft={pairDraft}
            errors={pairErrors}
            field="teacher.phone"
          />
          <button type="submit">设置结对</button>
        </form>
      )}
      <p>
        <a href="/care-files">返回关爱档案</a>
      </p>
    </Page>
  );
};
