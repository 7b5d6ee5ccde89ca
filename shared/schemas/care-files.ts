/**
 * 留守儿童关爱档案 (一人一案): one file per left-behind child, kept by the school, with its support
 * records; and 师生结对帮扶, a teacher paired with a child. Only the fields the work needs; the
 * identifying ones are encrypted at rest and masked in lists (shared/services/care-file-service.ts).
 */
import {
  AWAY_KINDS,
  CARE_RECORD_KINDS,
  PAIR_DUTY_KINDS,
  PAIR_PERIOD_STATES,
} from '../domain/care/care-file.js';
import { DUTY_STATUSES } from '../domain/duty/duty-status.js';
import { PersonSchema, phone } from './cases.js';
import { isoDateString, line, pageQuery, slug, text, z } from './common.js';

export const CreateCareFileSchema = z
  .strictObject({
    childName: line(1, 30).openapi({ example: '张小明' }),
    grade: line(1, 20).openapi({ example: '四年级' }),
    className: line(1, 20).openapi({ example: '2班' }),
    schoolUnitId: slug('学校编号').openapi({ example: 'chengguan-primary' }),
    townshipUnitId: slug('乡镇编号').openapi({ example: 'chengguan' }),
    village: line(1, 50).openapi({ description: '居住村(社区)', example: '东街村' }),
    guardian: z
      .strictObject({
        name: line(1, 30),
        phone,
        relation: line(1, 10).optional().openapi({ description: '与儿童关系', example: '祖母' }),
      })
      .openapi({ description: '监护人(委托监护人)' }),
    away: z.enum(AWAY_KINDS).openapi({
      description: 'both 父母均外出务工, father 父亲外出务工, mother 母亲外出务工',
    }),
  })
  .openapi('CreateCareFile');

export const CreateCareRecordSchema = z
  .strictObject({
    kind: z
      .enum(CARE_RECORD_KINDS)
      .default('support')
      .openapi({ description: 'support 帮扶记录, home-visit 家访, counselling 心理疏导' }),
    date: isoDateString.openapi({ description: '帮扶日期' }),
    by: line(1, 50).openapi({ description: '帮扶人', example: '王老师' }),
    content: text(1, 1000).openapi({ description: '做了什么', example: '辅导数学作业,与祖母沟通近况' }),
  })
  .openapi('CreateCareRecord');

export const SetUpPairSchema = z
  .strictObject({
    teacher: PersonSchema.openapi({ description: '结对教师' }),
    planId: slug('方案编号'),
    phaseKey: slug('阶段标识').max(40),
    weekday: z
      .number()
      .int()
      .min(1)
      .max(7)
      .default(5)
      .openapi({ description: '每周帮扶记录截止星期几,默认周五' }),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
      .default('17:00')
      .openapi({ description: '截止时间,默认 17:00(家访为每月最后一天)' }),
  })
  .openapi('SetUpCarePair');

export const ListCareFilesQuerySchema = z.strictObject({
  township: slug('乡镇编号').optional(),
  school: slug('学校编号').optional(),
  ...pageQuery,
});

export const CareRecordSchema = z
  .object({
    id: z.string(),
    careFileId: z.string(),
    kind: z.enum(CARE_RECORD_KINDS),
    label: z.string(),
    date: z.string(),
    by: z.string(),
    content: z.string(),
    recordedAt: z.string(),
    recordedBy: z.string(),
  })
  .openapi('CareRecord');

export const CarePairSchema = z
  .object({
    planId: z.string(),
    teacher: z.object({ name: z.string(), phone: z.string() }),
    weeklyTaskId: z.string().openapi({ description: '每周帮扶记录任务' }),
    monthlyTaskId: z.string().openapi({ description: '每月家访任务' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('CarePair');

/** A pair's duty for one period: the one a record submitted, or this period's on the file page. */
export const CarePairDutySchema = z
  .object({
    planId: z.string(),
    kind: z
      .enum(PAIR_DUTY_KINDS)
      .openapi({ description: 'weekly-record 每周帮扶记录, monthly-visit 每月家访' }),
    dutyId: z.string(),
    occurrenceKey: z.string().openapi({ example: '2025-W41' }),
    periodLabel: z.string().openapi({ example: '第41周 10月6日—10月12日' }),
    status: z.enum(DUTY_STATUSES),
    state: z
      .enum(PAIR_PERIOD_STATES)
      .openapi({ description: 'recorded 已记录, pending 待记录, overdue 逾期' }),
    stateLabel: z.string().openapi({ example: '已记录' }),
  })
  .openapi('CarePairDuty');

/** A pair on the file page, with this week's record duty and this month's visit duty. */
export const CarePairViewSchema = CarePairSchema.extend({
  thisWeek: CarePairDutySchema.nullable().openapi({ description: '本周帮扶记录任务;本周没有任务时为 null' }),
  thisMonth: CarePairDutySchema.nullable().openapi({ description: '本月家访任务;本月没有任务时为 null' }),
}).openapi('CarePairView');

/** A record as added: with the pair duty it submitted for its period. */
export const CareRecordResultSchema = CareRecordSchema.extend({
  duty: CarePairDutySchema.extend({
    submittedNow: z.boolean().openapi({ description: '本条记录是否提交了该任务(已提交过的不再重复提交)' }),
  })
    .nullable()
    .openapi({ description: '记录日期所在期次的结对任务;没有结对、类别不对应或该期次没有任务时为 null' }),
  dutyMessage: z.string().nullable().openapi({ description: '结对任务的处理说明;没有结对时为 null' }),
}).openapi('CareRecordResult');

export const CarePairSetupResultSchema = CarePairSchema.extend({
  created: z.boolean().openapi({ description: '本次是否新建(重复设置不会重复创建)' }),
}).openapi('CarePairSetupResult');

/** A care file in a list: nothing identifying whole (张*明, 138****5678). */
export const CareFileListItemSchema = z
  .object({
    id: z.string(),
    childNameMasked: z.string().openapi({ example: '张*明' }),
    guardianPhoneMasked: z.string().openapi({ example: '138****5678' }),
    grade: z.string(),
    className: z.string(),
    schoolUnitId: z.string(),
    townshipUnitId: z.string(),
    away: z.enum(AWAY_KINDS),
    awayLabel: z.string().openapi({ example: '父母均外出务工' }),
    createdAt: z.string(),
  })
  .openapi('CareFileListItem');

/** A care file whole: shown only to those allowed, each view audited. */
export const CareFileSchema = CareFileListItemSchema.omit({
  childNameMasked: true,
  guardianPhoneMasked: true,
})
  .extend({
    childName: z.string(),
    village: z.string(),
    guardian: z.object({ name: z.string(), phone: z.string(), relation: z.string().nullable() }),
    records: z.array(CareRecordSchema),
    pairs: z.array(CarePairViewSchema),
    createdBy: z.string(),
  })
  .openapi('CareFile');

export const CareFileListSchema = z
  .object({
    items: z.array(CareFileListItemSchema),
    nextCursor: z.string().nullable().openapi({ description: '下一页游标;为 null 表示没有更多' }),
  })
  .openapi('CareFileList');

export type CreateCareFileInput = z.infer<typeof CreateCareFileSchema>;
export type CreateCareRecordInput = z.infer<typeof CreateCareRecordSchema>;
export type SetUpPairInput = z.infer<typeof SetUpPairSchema>;
export type ListCareFilesQuery = z.infer<typeof ListCareFilesQuerySchema>;
export type CareFileListItem = z.infer<typeof CareFileListItemSchema>;
export type CareFile = z.infer<typeof CareFileSchema>;
export type CareRecord = z.infer<typeof CareRecordSchema>;
export type CarePair = z.infer<typeof CarePairSchema>;
export type CarePairDuty = z.infer<typeof CarePairDutySchema>;
export type CarePairView = z.infer<typeof CarePairViewSchema>;
export type CareRecordResult = z.infer<typeof CareRecordResultSchema>;
export type CarePairSetupResult = z.infer<typeof CarePairSetupResultSchema>;
