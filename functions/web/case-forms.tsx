import type { FC } from 'hono/jsx';
import type { Principal } from '../../shared/auth/principal.js';
import { decide, type ResourceContext } from '../../shared/domain/access/policy.js';
import { caseEvidenceText, parseCaseEvidence } from '../../shared/domain/dropout/case-evidence.js';
import { PERSUASION_STEPS, type PersuasionStepKey } from '../../shared/domain/dropout/case-ladder.js';
import { classifyEvidenceRef } from '../../shared/domain/evidence/file-key.js';
import {
  type Case,
  type CreateCaseInput,
  CreateCaseSchema,
  type CreateStepInput,
  CreateStepSchema,
  type RegistryUpdatedInput,
  RegistryUpdatedSchema,
  type ReturnInput,
  ReturnSchema,
} from '../../shared/schemas/cases.js';
import type { Unit } from '../../shared/schemas/units.js';
import { STEP_ACTION } from '../../shared/services/case-service.js';
import { evidenceFileName } from '../../shared/services/evidence-service.js';
import {
  ErrorSummary,
  EvidenceFileInput,
  fieldHelpers,
  type SummaryField,
  TextArea,
  TextLine,
} from './fields.js';
import { FormKey } from './form-key.js';
import { type FieldErrors, type FormFields, fromZod, one, optional, wholeOrText } from './forms.js';
import { Csrf } from './layout.js';

/** A form as typed: each field's text by its name (shown again when the form comes back). */
export type FormValues = Record<string, string>;

/** A case form that came back: which one, what was typed and its problems (or someone acted first). */
export type CaseFormFailed =
  | { form: CaseFormName; errors: FieldErrors; values: FormValues }
  | { form: CaseFormName; conflict: string; values: FormValues };
export type CaseFormName = 'step' | 'return' | 'registry';

/** What a parsed form gives: the input for the service, or the problems by field. */
type Parsed<T> = { input: T } | { errors: FieldErrors };

/** The values of a form's fields by name (the first of each). */
const valuesOf = (form: FormFields, names: readonly string[]): FormValues =>
  Object.fromEntries(names.map((n) => [n, one(form, n)]));

/** A labelled input of a case form (its id may differ from its name), its problems under it. */
const Field: FC<{
  name: string;
  id?: string;
  label: string;
  values: FormValues;
  errors: FieldErrors | undefined;
  type?: 'text' | 'date';
  inputmode?: 'tel' | 'numeric';
  maxlength?: number;
  placeholder?: string;
}> = ({ name, id, label, values, errors, type, inputmode, maxlength, placeholder }) => {
  const { err, invalid } = fieldHelpers(errors);
  return (
    <>
      <label class="f" for={id ?? name}>
        {label}
      </label>
      <input
        type={type ?? 'text'}
        inputmode={inputmode}
        id={id ?? name}
        name={name}
        value={values[name] ?? ''}
        maxlength={maxlength}
        placeholder={placeholder}
        class={invalid(name)}
      />
      {err(name)}
    </>
  );
};

// ——— Where a case's units sit ———

/** The units above `unitId` in the directory, nearest first. */
export function ancestorsIn(units: Map<string, Unit>, unitId: string): string[] {
  const chain: string[] = [];
  let at = units.get(unitId)?.parentId ?? null;
  while (at !== null && !chain.includes(at)) {
    chain.push(at);
    at = units.get(at)?.parentId ?? null;
  }
  return chain;
}

/** The township a school sits in (its nearest ancestor of that kind), as the case records it. */
export const townshipIn = (units: Map<string, Unit>, schoolUnitId: string): string | undefined =>
  ancestorsIn(units, schoolUnitId).find((id) => units.get(id)?.kind === 'township');

/** What the signed-in user may do on a case: the same policy checks its service makes. */
export interface CaseRights {
  steps: PersuasionStepKey[];
  school: boolean;
}

export function caseRights(p: Principal, units: Map<string, Unit>, schoolUnitId: string): CaseRights {
  const at: ResourceContext = { ownerUnitId: schoolUnitId, ownerAncestors: ancestorsIn(units, schoolUnitId) };
  return {
    steps: PERSUASION_STEPS.map((s) => s.key).filter((k) => decide(p, STEP_ACTION[k], at).allowed),
    school: decide(p, 'case.act.school', at).allowed,
  };
}

// ——— Kept material (材料留存) ———

/** A case's kept line: an uploaded file of this case as a download link, anything else as written. */
export const KeptMaterial: FC<{ caseId: string; text: string }> = ({ caseId, text }) => {
  const { title, ref } = parseCaseEvidence(text);
  if (ref === null || classifyEvidenceRef(ref, caseId) !== 'own-file') return <>{text}</>;
  return <a href={`/cases/${caseId}/evidence/${evidenceFileName(ref)}`}>{title}</a>;
};

/** One row of material: its name, where it is, and (with the script) a file to upload. */
const MaterialRow: FC<{
  form: 'step' | 'return';
  values: FormValues;
  errors: FieldErrors | undefined;
  placeholder: string;
}> = ({ form, values, errors, placeholder }) => {
  const { err, invalid } = fieldHelpers(errors);
  return (
    <div class="grid2">
      <span>
        <input
          type="text"
          id={`${form}-evidence-title`}
          name="evidence.0.title"
          value={values['evidence.0.title'] ?? ''}
          maxlength={80}
          placeholder={placeholder}
          aria-label="材料名称"
          class={invalid('evidence.0.title')}
        />
        {err('evidence.0.title')}
      </span>
      <span>
        <input
          type="text"
          id={`${form}-evidence-ref`}
          name="evidence.0.ref"
          value={values['evidence.0.ref'] ?? ''}
          maxlength={110}
          placeholder="存放位置、档号(上传文件后自动填写)"
          aria-label="材料存放位置"
          class={invalid('evidence.0.ref')}
        />
        {err('evidence.0.ref')}
      </span>
      <EvidenceFileInput row={0} />
    </div>
  );
};

/** The material of a form as the case keeps it; another case's or a malformed file key is refused. */
function materialOf(form: FormFields, caseId: string, errors: FieldErrors): string | undefined {
  const title = one(form, 'evidence.0.title').trim();
  const ref = one(form, 'evidence.0.ref').trim();
  if (title === '' && ref === '') return undefined;
  if (title === '') errors['evidence.0.title'] = '请填写材料名称';
  if (ref !== '' && classifyEvidenceRef(ref, caseId) === 'foreign-file') {
    errors['evidence.0.ref'] = '该文件不属于本案例,请重新上传';
  }
  if (/[\uFF08\uFF09]/.test(ref)) errors['evidence.0.ref'] = '存放位置不能含括号';
  return caseEvidenceText(title, ref);
}

// ——— 登记缺课 ———

const NEW_CASE_FIELDS: Record<string, string> = {
  childName: '学生姓名',
  gender: '性别',
  age: '年龄',
  birthYearMonth: '出生年月',
  grade: '年级',
  className: '班级',
  village: '居住村(社区)',
  registryNumber: '学籍号',
  'guardian.name': '监护人姓名',
  'guardian.phone': '监护人电话',
  'teacher.name': '包保教师',
  'teacher.phone': '包保教师电话',
  'leader.name': '包保校领导',
  'leader.phone': '包保校领导电话',
  firstDayAbsent: '缺课首日',
  'groups.homeTeaching': '送教上门',
};
const GROUP_FIELDS = [
  ['registeredPoor', '建档立卡脱贫户'],
  ['monitored', '监测对象'],
  ['disabled', '残疾儿童'],
  ['homeTeaching', '送教上门'],
] as const;
const NEW_CASE_NAMES = [
  ...Object.keys(NEW_CASE_FIELDS),
  'semester',
  'entry',
  ...GROUP_FIELDS.map(([k]) => `groups.${k}`),
];

const newCaseField = (field: string): SummaryField | undefined => {
  const label = NEW_CASE_FIELDS[field];
  return label === undefined ? undefined : { label, id: field };
};

/** The absence form as posted: what was typed, and the case to create or the problems. */
export function newCaseFrom(
  form: FormFields,
  where: { schoolUnitId: string; townshipUnitId: string | undefined },
): { values: FormValues } & Parsed<CreateCaseInput> {
  const values = valuesOf(form, NEW_CASE_NAMES);
  const text = (name: string) => optional(one(form, name));
  const age = one(form, 'age').trim();
  const parsed = CreateCaseSchema.safeParse({
    childName: one(form, 'childName'),
    gender: text('gender'),
    birthYearMonth: text('birthYearMonth')?.trim(),
    age: age === '' ? undefined : wholeOrText(age),
    grade: one(form, 'grade'),
    className: one(form, 'className'),
    schoolUnitId: where.schoolUnitId,
    townshipUnitId: where.townshipUnitId ?? '',
    village: text('village'),
    registryNumber: text('registryNumber')?.trim(),
    guardian: { name: one(form, 'guardian.name'), phone: one(form, 'guardian.phone') },
    groups: Object.fromEntries(GROUP_FIELDS.map(([k]) => [k, one(form, `groups.${k}`) === '1'])),
    teacher: { name: one(form, 'teacher.name'), phone: one(form, 'teacher.phone') },
    leader: { name: one(form, 'leader.name'), phone: one(form, 'leader.phone') },
    firstDayAbsent: one(form, 'firstDayAbsent').trim(),
    rosterEntry:
      values.semester && values.entry ? { semesterId: values.semester, entryId: values.entry } : undefined,
  });
  if (!parsed.success) {
    const errors = fromZod(parsed.error);
    if (errors.gender !== undefined) errors.gender = '性别只能选男或女';
    const roster = errors['rosterEntry.entryId'] ?? errors['rosterEntry.semesterId'];
    if (roster !== undefined) errors['(root)'] = `花名册行有误:${roster}`;
    if (where.townshipUnitId === undefined)
      errors.townshipUnitId = '单位目录中本校不在任何乡镇之下,请联系办公室';
    return { values, errors };
  }
  return { values, input: parsed.data };
}

/** A roster child the pick list offers: its entry, masked name and class. */
export interface RosterPick {
  id: string;
  childNameMasked: string;
  grade: string;
  className: string;
  kindLabel: string;
  /** The child's case not yet returned, if any: the pick links there instead. */
  openCaseId?: string | undefined;
}

/** What a case cannot be created without: with all of them filled, the form offers 确认登记 on top. */
const READY_FIELDS = [
  'childName',
  'grade',
  'className',
  'firstDayAbsent',
  'guardian.name',
  'guardian.phone',
  'teacher.name',
  'teacher.phone',
  'leader.name',
  'leader.phone',
] as const;

/** 登记缺课: the pick list of the school's roster (one tap fills the form), then the form. */
export const NewCaseForm: FC<{
  csrfToken: string | undefined;
  formKey: string;
  values: FormValues;
  errors: FieldErrors | undefined;
  picks: RosterPick[];
  semester: string | undefined;
  picked: string | undefined;
}> = ({ csrfToken, formKey, values, errors, picks, semester, picked }) => {
  const { err } = fieldHelpers(errors);
  const v = (name: string) => values[name] ?? '';
  /**
   * A roster child picked, nothing wrong and every field the case needs already filled (the
   * roster's, the remembered 包保 people, today): 确认登记 sits at the top, so the third tap needs no
   * scrolling on a phone.
   */
  const ready =
    picked !== undefined && errors === undefined && READY_FIELDS.every((name) => v(name).trim() !== '');
  const line = (name: string, maxlength: number, placeholder?: string) => (
    <TextLine
      name={name}
      label={NEW_CASE_FIELDS[name] ?? name}
      value={v(name)}
      maxlength={maxlength}
      placeholder={placeholder}
      errors={errors}
    />
  );
  const phone = (name: string) => (
    <Field
      name={name}
      label={NEW_CASE_FIELDS[name] ?? name}
      values={values}
      errors={errors}
      inputmode="tel"
      maxlength={13}
      placeholder="11 位手机号"
    />
  );
  return (
    <>
      <ErrorSummary errors={errors} title="未登记,请修改以下问题" fieldOf={newCaseField} />
      {picks.length > 0 && picked === undefined && (
        <section class="card" id="roster-picks">
          <h2>从三类花名册选择学生</h2>
          <p class="muted">点选学生,表单自动填写花名册中的信息(查看记入审计)。</p>
          <ul class="plain">
            {picks.map((k) => (
              <li>
                {k.openCaseId !== undefined ? (
                  <a href={`/cases/${encodeURIComponent(k.openCaseId)}`} data-open-case={k.id}>
                    {k.childNameMasked} · {k.grade}
                    {k.className}:已登记缺课,查看案例
                  </a>
                ) : (
                  <a
                    class="btn"
                    href={`/cases/new?semester=${encodeURIComponent(semester ?? '')}&entry=${encodeURIComponent(k.id)}`}
                    data-pick={k.id}
                  >
                    {k.childNameMasked} · {k.grade}
                    {k.className}({k.kindLabel})
                  </a>
                )}
              </li>
            ))}
          </ul>
          <p class="muted">不在花名册中的学生,直接填写下面的表单。</p>
        </section>
      )}
      <form method="post" action="/cases" class="card" novalidate data-form="new-case">
        <Csrf token={csrfToken} />
        <FormKey value={formKey} />
        <input type="hidden" name="semester" value={v('semester')} />
        <input type="hidden" name="entry" value={v('entry')} />
        {err('(root)')}
        {err('schoolUnitId')}
        {err('townshipUnitId')}
        {ready && (
          <div class="quick" data-ready>
            <p>
              <strong>{v('childName')}</strong> · {v('grade')}
              {v('className')} · 缺课首日 {v('firstDayAbsent')} · 包保教师 {v('teacher.name')}
            </p>
            <button type="submit">确认登记</button>
            <p class="muted">以上信息来自花名册和本校上次登记的包保人员;需要修改时在下面改好再登记。</p>
          </div>
        )}
        {line('childName', 30)}
        <span class="f" id="gender">
          {NEW_CASE_FIELDS.gender}(可不填)
        </span>
        <p class="row">
          <label>
            <input type="radio" name="gender" value="male" checked={v('gender') === 'male'} /> 男
          </label>
          <label>
            <input type="radio" name="gender" value="female" checked={v('gender') === 'female'} /> 女
          </label>
        </p>
        {err('gender')}
        <div class="grid2">
          <span>
            <Field
              name="age"
              label="年龄(可不填)"
              values={values}
              errors={errors}
              inputmode="numeric"
              maxlength={3}
            />
          </span>
          <span>
            <Field
              name="birthYearMonth"
              label="出生年月(可不填)"
              values={values}
              errors={errors}
              maxlength={7}
              placeholder="YYYY-MM"
            />
          </span>
          <span>{line('grade', 20, '七年级')}</span>
          <span>{line('className', 20, '2班')}</span>
        </div>
        <Field name="firstDayAbsent" label="缺课首日" values={values} errors={errors} type="date" />
        <div class="grid2">
          <span>{line('guardian.name', 30)}</span>
          <span>{phone('guardian.phone')}</span>
          <span>{line('teacher.name', 30)}</span>
          <span>{phone('teacher.phone')}</span>
          <span>{line('leader.name', 30)}</span>
          <span>{phone('leader.phone')}</span>
          <span>{line('village', 50)}</span>
          <span>{line('registryNumber', 20)}</span>
        </div>
        <span class="f">特殊群体</span>
        <p class="row">
          {GROUP_FIELDS.map(([k, label]) => (
            <label>
              <input
                type="checkbox"
                id={`groups.${k}`}
                name={`groups.${k}`}
                value="1"
                checked={v(`groups.${k}`) === '1'}
              />{' '}
              {label}
            </label>
          ))}
        </p>
        {err('groups.homeTeaching')}
        <p class="muted">姓名、电话、学籍号、出生年月、居住村加密保存;疑似辍学、辍学按工作日历自动计算。</p>
        <p>
          <button type="submit">登记缺课</button>
        </p>
      </form>
    </>
  );
};

/**
 * The absence form's start: today as the first day absent, the school's 包保 people as its newest
 * cases name them, and a roster child's fields when one was picked.
 */
export function newCaseValues(
  today: string,
  chain: { teacher: { name: string; phone: string } | null; leader: { name: string; phone: string } | null },
  child?: {
    semesterId: string;
    entryId: string;
    childName: string;
    guardianName: string;
    guardianPhone: string;
    village: string | null;
    registryNumber: string | null;
    grade: string;
    className: string;
  },
): FormValues {
  const people = {
    'teacher.name': chain.teacher?.name ?? '',
    'teacher.phone': chain.teacher?.phone ?? '',
    'leader.name': chain.leader?.name ?? '',
    'leader.phone': chain.leader?.phone ?? '',
  };
  if (child === undefined) return { firstDayAbsent: today, ...people };
  return {
    ...people,
    firstDayAbsent: today,
    semester: child.semesterId,
    entry: child.entryId,
    childName: child.childName,
    grade: child.grade,
    className: child.className,
    village: child.village ?? '',
    registryNumber: child.registryNumber ?? '',
    'guardian.name': child.guardianName,
    'guardian.phone': child.guardianPhone,
  };
}

// ——— On the case page: 劝返 steps, 复学, 学籍系统 ———

const CASE_FORM_FIELDS: Record<CaseFormName, Record<string, SummaryField>> = {
  step: {
    kind: { label: '措施', id: 'step-kind' },
    date: { label: '办理日期', id: 'step-date' },
    by: { label: '办理人', id: 'step-by' },
    method: { label: '方式', id: 'step-method' },
    result: { label: '结果', id: 'step-result' },
    'evidence.0.title': { label: '材料名称', id: 'step-evidence-title' },
    'evidence.0.ref': { label: '材料存放位置', id: 'step-evidence-ref' },
  },
  return: {
    returnedOn: { label: '复学日期', id: 'returnedOn' },
    'evidence.0.title': { label: '复学证明材料', id: 'return-evidence-title' },
    'evidence.0.ref': { label: '材料存放位置', id: 'return-evidence-ref' },
  },
  registry: {
    updatedOn: { label: '学籍系统更新日期', id: 'updatedOn' },
    note: { label: '备注', id: 'registry-note' },
  },
};
const STEP_NAMES = ['kind', 'date', 'by', 'method', 'result', 'evidence.0.title', 'evidence.0.ref'];

/** The 劝返 step form as posted. */
export function stepFrom(form: FormFields, caseId: string): { values: FormValues } & Parsed<CreateStepInput> {
  const values = valuesOf(form, STEP_NAMES);
  const errors: FieldErrors = {};
  const material = materialOf(form, caseId, errors);
  const parsed = CreateStepSchema.safeParse({
    kind: one(form, 'kind'),
    date: one(form, 'date').trim(),
    by: one(form, 'by'),
    method: one(form, 'method'),
    result: one(form, 'result'),
    evidence: material === undefined ? [] : [material],
  });
  if (!parsed.success) Object.assign(errors, renameMaterial(fromZod(parsed.error), 'evidence.0'));
  if (parsed.success && Object.keys(errors).length === 0) return { values, input: parsed.data };
  if (errors.kind !== undefined) errors.kind = '请选择措施';
  return { values, errors };
}

/** The 复学 form as posted. */
export function returnFrom(form: FormFields, caseId: string): { values: FormValues } & Parsed<ReturnInput> {
  const values = valuesOf(form, ['returnedOn', 'evidence.0.title', 'evidence.0.ref']);
  const errors: FieldErrors = {};
  const material = materialOf(form, caseId, errors);
  const parsed = ReturnSchema.safeParse({
    returnedOn: one(form, 'returnedOn').trim(),
    evidence: material ?? '',
  });
  if (!parsed.success) Object.assign(errors, renameMaterial(fromZod(parsed.error), 'evidence'));
  if (parsed.success && Object.keys(errors).length === 0) return { values, input: parsed.data };
  return { values, errors };
}

/** The 学籍系统 confirmation as posted. */
export function registryFrom(form: FormFields): { values: FormValues } & Parsed<RegistryUpdatedInput> {
  const values = valuesOf(form, ['updatedOn', 'note']);
  const parsed = RegistryUpdatedSchema.safeParse({
    updatedOn: one(form, 'updatedOn').trim(),
    note: optional(one(form, 'note')),
  });
  return parsed.success ? { values, input: parsed.data } : { values, errors: fromZod(parsed.error) };
}

/** The schema's problem with the kept material (one line) is said at the material's name. */
function renameMaterial(errors: FieldErrors, path: string): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    out[field === path ? 'evidence.0.title' : field] = field === path ? `材料${message}` : message;
  }
  return out;
}

/**
 * The forms of a case for those who may act on it: a 劝返 step (the kinds the user may do), the
 * return (the school) and, after it, the 学籍系统 confirmation (the school).
 */
export const CaseActionForms: FC<{
  k: Case;
  rights: CaseRights;
  csrfToken: string | undefined;
  today: string;
  formKey: string;
  failed?: CaseFormFailed | undefined;
}> = ({ k, rights, csrfToken, today, formKey, failed }) => {
  const mine = (form: CaseFormName) => (failed?.form === form ? failed : undefined);
  const errorsOf = (form: CaseFormName) => {
    const f = mine(form);
    return f !== undefined && 'errors' in f ? f.errors : undefined;
  };
  const valuesOf = (form: CaseFormName, start: FormValues) => mine(form)?.values ?? start;
  const open = k.returnedOn === null;
  const showStep = open && rights.steps.length > 0;
  const showReturn = open && rights.school;
  const showRegistry = !open && k.registryUpdatedOn === null && rights.school;
  const uploads = `/cases/${k.id}/evidence-uploads`;
  const conflict = failed !== undefined && 'conflict' in failed ? failed.conflict : undefined;
  return (
    <>
      {conflict !== undefined && (
        <p class="flash err" role="alert">
          {conflict}
        </p>
      )}
      {showStep && (
        <StepForm
          k={k}
          steps={rights.steps}
          csrfToken={csrfToken}
          formKey={formKey}
          uploads={uploads}
          values={valuesOf('step', { date: today, kind: rights.steps[0] ?? '' })}
          errors={errorsOf('step')}
        />
      )}
      {showReturn && (
        <ReturnForm
          k={k}
          csrfToken={csrfToken}
          formKey={formKey}
          uploads={uploads}
          values={valuesOf('return', { returnedOn: today })}
          errors={errorsOf('return')}
        />
      )}
      {showRegistry && (
        <RegistryForm
          k={k}
          csrfToken={csrfToken}
          formKey={formKey}
          values={valuesOf('registry', { updatedOn: today })}
          errors={errorsOf('registry')}
        />
      )}
    </>
  );
};

const fieldsOf =
  (form: CaseFormName) =>
  (field: string): SummaryField | undefined =>
    CASE_FORM_FIELDS[form][field];

interface FormProps {
  k: Case;
  csrfToken: string | undefined;
  formKey: string;
  values: FormValues;
  errors: FieldErrors | undefined;
}

const StepForm: FC<FormProps & { steps: PersuasionStepKey[]; uploads: string }> = ({
  k,
  steps,
  csrfToken,
  formKey,
  uploads,
  values,
  errors,
}) => {
  const { err, invalid } = fieldHelpers(errors);
  const v = (name: string) => values[name] ?? '';
  return (
    <section id="step-form">
      <h2>记录劝返措施</h2>
      <ErrorSummary errors={errors} title="劝返记录未保存,请修改以下问题" fieldOf={fieldsOf('step')} />
      <form method="post" action={`/cases/${k.id}/steps`} class="card" novalidate data-uploads={uploads}>
        <Csrf token={csrfToken} />
        <FormKey value={formKey} />
        {err('(root)')}
        <div class="grid2">
          <span>
            <label class="f" for="step-kind">
              措施
            </label>
            <select id="step-kind" name="kind" class={invalid('kind')}>
              {PERSUASION_STEPS.filter((s) => steps.includes(s.key)).map((s) => (
                <option value={s.key} selected={v('kind') === s.key}>
                  {s.label}
                </option>
              ))}
            </select>
            {err('kind')}
          </span>
          <span>
            <Field name="date" id="step-date" label="办理日期" values={values} errors={errors} type="date" />
          </span>
          <span>
            <Field name="by" id="step-by" label="办理人" values={values} errors={errors} maxlength={50} />
          </span>
          <span>
            <Field
              name="method"
              id="step-method"
              label="方式"
              values={values}
              errors={errors}
              maxlength={50}
              placeholder="电话联系、入户走访"
            />
          </span>
        </div>
        <TextArea
          id="step-result"
          name="result"
          label="结果"
          value={v('result')}
          maxlength={1000}
          errors={errors}
        />
        <span class="f">留存材料(可选:上传文件,如劝返通知书)</span>
        <MaterialRow form="step" values={values} errors={errors} placeholder="名称,如 劝返通知书" />
        <p>
          <button type="submit">保存劝返记录</button>
        </p>
      </form>
    </section>
  );
};

const ReturnForm: FC<FormProps & { uploads: string }> = ({
  k,
  csrfToken,
  formKey,
  uploads,
  values,
  errors,
}) => {
  const { err } = fieldHelpers(errors);
  return (
    <section id="return-form">
      <h2>登记复学</h2>
      <ErrorSummary errors={errors} title="复学未登记,请修改以下问题" fieldOf={fieldsOf('return')} />
      <form method="post" action={`/cases/${k.id}/return`} class="card" novalidate data-uploads={uploads}>
        <Csrf token={csrfToken} />
        <FormKey value={formKey} />
        {err('(root)')}
        <Field name="returnedOn" label="复学(返校上课)日期" values={values} errors={errors} type="date" />
        <span class="f">复学证明材料</span>
        <MaterialRow form="return" values={values} errors={errors} placeholder="名称,如 返校签到表" />
        <p>
          <button type="submit">登记复学</button>
        </p>
      </form>
    </section>
  );
};

const RegistryForm: FC<FormProps> = ({ k, csrfToken, formKey, values, errors }) => {
  const { err } = fieldHelpers(errors);
  return (
    <section id="registry-form">
      <h2>确认学籍系统已更新</h2>
      <ErrorSummary errors={errors} title="未确认,请修改以下问题" fieldOf={fieldsOf('registry')} />
      <form method="post" action={`/cases/${k.id}/registry-updated`} class="card" novalidate>
        <Csrf token={csrfToken} />
        <FormKey value={formKey} />
        <p class="muted">督办系统不能连接全国学籍系统:请在学籍系统中办理后,在此确认。</p>
        {err('(root)')}
        <Field name="updatedOn" label="学籍系统更新日期" values={values} errors={errors} type="date" />
        <Field
          name="note"
          id="registry-note"
          label="备注(可选)"
          values={values}
          errors={errors}
          maxlength={500}
        />
        <p>
          <button type="submit">确认已更新</button>
        </p>
      </form>
    </section>
  );
};
