/**
 * 控辍保学 cases: one child who stopped coming, from the first day absent until back in class.
 * Only the fields the steps need (个人信息保护法: minimum collection); the identifying ones are
 * encrypted at rest and masked in lists (shared/services/case-service.ts).
 */
import { PERSUASION_STEPS } from '../domain/dropout/case-ladder.js';
import { acrossFields, isoDateString, isRecord, line, pageQuery, slug, text, z } from './common.js';

const STEP_KEYS = PERSUASION_STEPS.map((s) => s.key) as [
  (typeof PERSUASION_STEPS)[number]['key'],
  ...(typeof PERSUASION_STEPS)[number]['key'][],
];

/** A mobile (11 digits from 1) or a landline with its area code (0xxx-xxxxxxx). */
export const phone = z
  .string()
  .trim()
  .regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '电话应为 11 位手机号或带区号的固定电话')
  .openapi({ example: '13812345678' });

export const PersonSchema = z
  .strictObject({
    name: line(1, 30).openapi({ example: '王老师' }),
    phone,
  })
  .openapi('CasePerson');

export const SpecialGroupsSchema = z
  .strictObject({
    registeredPoor: z.boolean().default(false).openapi({ description: '建档立卡脱贫户' }),
    monitored: z.boolean().default(false).openapi({ description: '监测对象' }),
    disabled: z.boolean().default(false).openapi({ description: '残疾儿童' }),
    homeTeaching: z.boolean().default(false).openapi({ description: '送教上门(仅残疾儿童)' }),
  })
  .openapi('CaseSpecialGroups');

export const SPECIAL_GROUPS = ['registered-poor', 'monitored', 'disabled', 'home-teaching'] as const;
export type SpecialGroup = (typeof SPECIAL_GROUPS)[number];

export const CreateCaseSchema = z
  .strictObject({
    childName: line(1, 30).openapi({ example: '张小明' }),
    gender: z
      .enum(['male', 'female'])
      .optional()
      .openapi({ description: 'male 男, female 女;花名册不含,可不填' }),
    birthYearMonth: z
      .string()
      .regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])$/, '出生年月格式应为 YYYY-MM')
      .optional()
      .openapi({ example: '2012-03' }),
    age: z.number().int().min(3).max(20).optional().openapi({ description: '年龄(不知道出生年月时);可不填' }),
    grade: line(1, 20).openapi({ example: '七年级' }),
    className: line(1, 20).openapi({ example: '2班' }),
    schoolUnitId: slug('学校编号').openapi({ example: 'chengguan-middle' }),
    townshipUnitId: slug('乡镇编号').openapi({ example: 'chengguan' }),
    village: line(1, 50).optional().openapi({ description: '户籍或居住村(社区)', example: '东街村' }),
    registryNumber: z
      .string()
      .regex(/^[A-Z0-9]{8,20}$/, '学籍号应为 8–20 位大写字母或数字')
      .optional()
      .openapi({ description: '全国学籍号', example: 'G110101201203150012' }),
    guardian: z.strictObject({ name: line(1, 30), phone }).openapi({ description: '监护人' }),
    groups: SpecialGroupsSchema.default({
      registeredPoor: false,
      monitored: false,
      disabled: false,
      homeTeaching: false,
    }),
    teacher: PersonSchema.openapi({ description: '包保教师(班主任)' }),
    leader: PersonSchema.openapi({ description: '包保校领导' }),
    firstDayAbsent: isoDateString.openapi({ description: '无故缺课的第一天' }),
    rosterEntry: z
      .strictObject({
        semesterId: slug('学期编号'),
        entryId: line(1, 200),
      })
      .optional()
      .openapi({ description: '来自三类花名册的哪一行(学期与行编号);同一学生有未复学案例时拒绝重复登记' }),
  })
  .check(
    acrossFields(
      (v): v is Record<string, unknown> => isRecord(v),
      (v) => [
        ...(isRecord(v.groups) && v.groups.homeTeaching === true && v.groups.disabled !== true
          ? [{ field: 'groups.homeTeaching', message: '送教上门仅适用于残疾儿童' }]
          : []),
      ],
    ),
  )
  .openapi('CreateCase');

export const CreateStepSchema = z
  .strictObject({
    kind: z.enum(STEP_KEYS).openapi({
      description:
        'contact 联系家长和学生劝返, notice 发放劝返通知书, report-bureau 书面报告县教体局, ' +
        'notify-township 通报乡镇政府并书面报告县政府, arrange 乡镇或教体局安排人员劝返',
    }),
    date: isoDateString.openapi({ description: '办理日期' }),
    by: line(1, 50).openapi({ description: '办理人', example: '王老师' }),
    method: line(1, 50).openapi({ description: '方式', example: '电话联系' }),
    result: text(1, 1000).openapi({ description: '结果', example: '家长表示下周一送孩子返校' }),
    evidence: z
      .array(line(1, 200))
      .max(10)
      .default([])
      .openapi({ description: '留存材料(名称或编号)', example: ['劝返通知书回执'] }),
  })
  .openapi('CreateCaseStep');

export const ReturnSchema = z
  .strictObject({
    returnedOn: isoDateString.openapi({ description: '复学(返校上课)日期' }),
    evidence: text(1, 1000).openapi({ description: '复学证明材料', example: '返校签到表' }),
  })
  .openapi('CaseReturn');

export const RegistryUpdatedSchema = z
  .strictObject({
    updatedOn: isoDateString.openapi({ description: '学籍系统更新日期' }),
    note: text(1, 500).optional(),
  })
  .openapi('CaseRegistryUpdated');

export const CASE_STAGES = ['absent', 'suspected', 'dropout', 'returned'] as const;

export const ListCasesQuerySchema = z.strictObject({
  township: slug('乡镇编号').optional(),
  school: slug('学校编号').optional(),
  stage: z.enum(CASE_STAGES).optional(),
  group: z.enum(SPECIAL_GROUPS).optional(),
  ...pageQuery,
});

const StandingSchema = {
  stage: z.enum(CASE_STAGES),
  stageLabel: z.string().openapi({ example: '疑似辍学' }),
  suspectedOn: z.string().openapi({ description: '疑似辍学之日(第 6 个缺课工作日)' }),
  dropoutOn: z.string().openapi({ description: '认定辍学之日(疑似满一个月的次日)' }),
  next: z
    .object({
      step: z.enum(STEP_KEYS),
      label: z.string(),
      dueOn: z.string(),
      late: z.boolean(),
    })
    .nullable()
    .openapi({ description: '下一步劝返措施及其期限(工作日)' }),
};

export const CaseStepSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    kind: z.enum(STEP_KEYS),
    label: z.string(),
    date: z.string(),
    by: z.string(),
    method: z.string(),
    result: z.string(),
    evidence: z.array(z.string()),
    recordedAt: z.string(),
    recordedBy: z.string(),
  })
  .openapi('CaseStep');

/** A case in a list: nothing identifying whole (张*明, 138****5678). */
export const CaseListItemSchema = z
  .object({
    id: z.string(),
    childNameMasked: z.string().openapi({ example: '张*明' }),
    guardianPhoneMasked: z.string().openapi({ example: '138****5678' }),
    registryNumberMasked: z.string().nullable(),
    gender: z.enum(['male', 'female']).nullable(),
    grade: z.string(),
    className: z.string(),
    schoolUnitId: z.string(),
    townshipUnitId: z.string(),
    groups: SpecialGroupsSchema,
    firstDayAbsent: z.string(),
    returnedOn: z.string().nullable(),
    registryUpdatedOn: z.string().nullable(),
    ...StandingSchema,
  })
  .openapi('CaseListItem');

/** A case whole: shown only to those allowed, each view audited. */
export const CaseSchema = z
  .object({
    id: z.string(),
    childName: z.string(),
    gender: z.enum(['male', 'female']).nullable(),
    birthYearMonth: z.string().nullable(),
    age: z.number().int().nullable(),
    grade: z.string(),
    className: z.string(),
    schoolUnitId: z.string(),
    townshipUnitId: z.string(),
    village: z.string().nullable(),
    registryNumber: z.string().nullable(),
    guardian: z.object({ name: z.string(), phone: z.string() }),
    groups: SpecialGroupsSchema,
    teacher: z.object({ name: z.string(), phone: z.string() }),
    leader: z.object({ name: z.string(), phone: z.string() }),
    firstDayAbsent: z.string(),
    rosterRow: z
      .object({
        semesterId: z.string(),
        entryId: z.string(),
        kind: z.string(),
        kindLabel: z.string().openapi({ example: '籍在人不在' }),
      })
      .nullable()
      .openapi({ description: '登记时所据的花名册行' }),
    returnedOn: z.string().nullable(),
    returnEvidence: z.string().nullable(),
    registryUpdatedOn: z.string().nullable(),
    steps: z.array(CaseStepSchema),
    createdAt: z.string(),
    createdBy: z.string(),
    version: z.number().int(),
    ...StandingSchema,
  })
  .openapi('Case');

export const CaseListSchema = z
  .object({
    items: z.array(CaseListItemSchema),
    nextCursor: z.string().nullable().openapi({ description: '下一页游标;为 null 表示没有更多' }),
  })
  .openapi('CaseList');

export type CreateCaseInput = z.infer<typeof CreateCaseSchema>;
export type CreateStepInput = z.infer<typeof CreateStepSchema>;
export type ReturnInput = z.infer<typeof ReturnSchema>;
export type RegistryUpdatedInput = z.infer<typeof RegistryUpdatedSchema>;
export type ListCasesQuery = z.infer<typeof ListCasesQuerySchema>;
export type Case = z.infer<typeof CaseSchema>;
export type CaseListItem = z.infer<typeof CaseListItemSchema>;
export type CaseStep = z.infer<typeof CaseStepSchema>;

/** A child's gender in pages and exports: 男, 女, or — when not given (no roster holds it). */
export const genderLabel = (g: 'male' | 'female' | null): string =>
  g === 'male' ? '男' : g === 'female' ? '女' : '—';
