import type { Principal } from '../../shared/auth/principal.js';
import { type Phase, shiftPhases } from '../../shared/domain/plan/phases.js';
import { addDays, localDateOf } from '../../shared/domain/time/zoned-time.js';
import { type Evidence, SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import type { UnitKind } from '../../shared/schemas/units.js';
import type { Services } from '../../shared/services/index.js';

/*
 * Demo data for a local start: seed 000 (教育扶贫迎国检工作方案) as a live campaign. Units are the
 * bodies named in 六、工作职责, tasks are their duties, and the plan's phases are the four of
 * 四、工作步骤 moved so that "now" falls on the fourth day of 自查补短. OCR noise of the source
 * (播送影视, 方案生育, 效劳, 根本, 处分 …) is corrected in the text below.
 */

export const DEMO_PLAN_TITLE = '教育扶贫迎国检工作方案';
export const DEMO_TIMEZONE = 'Asia/Shanghai';

type PhaseKey = 'mobilize' | 'self-check' | 'improve' | 'consolidate';

/** 四、工作步骤 as written (the year is ours): 5/9–5/13, 5/14–5/26, 5/27–5/31, 6/1 until the inspection. */
export const DEMO_BASE_PHASES: readonly (Phase & { key: PhaseKey })[] = [
  { key: 'mobilize', name: '部署发动阶段', start: '2026-05-09', end: '2026-05-13' },
  { key: 'self-check', name: '自查补短阶段', start: '2026-05-14', end: '2026-05-26' },
  { key: 'improve', name: '完善提升阶段', start: '2026-05-27', end: '2026-05-31' },
  { key: 'consolidate', name: '稳固待检阶段', start: '2026-06-01' },
];

/** The seeded plan is in this phase, on this day of it (1 = its first day). */
const LIVE_PHASE: PhaseKey = 'self-check';
const LIVE_DAY = 4;
/** The open-ended last phase has no end date; its tasks fall due this many days after it starts. */
const OPEN_PHASE_DUE_DAYS = 14;

interface DemoUnit {
  id: string;
  name: string;
  kind: UnitKind;
  parentId?: string;
}

/** Parents come before their children. */
export const DEMO_UNITS: readonly DemoUnit[] = [
  // 县教育体育局 and its leading-group office (五(二): the bureau sets up the 领导小组).
  { id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' },
  { id: 'yjb', name: '教育扶贫迎国检工作领导小组办公室(迎检办)', kind: 'other', parentId: 'edu-bureau' },
  // 六(三) the bureau's sections.
  { id: 'edu-section', name: '教育股', kind: 'section', parentId: 'edu-bureau' },
  { id: 'finance-section', name: '计财股', kind: 'section', parentId: 'edu-bureau' },
  { id: 'personnel-section', name: '人事股', kind: 'section', parentId: 'edu-bureau' },
  { id: 'logistics-office', name: '后勤办', kind: 'section', parentId: 'edu-bureau' },
  { id: 'admissions-office', name: '招生办', kind: 'section', parentId: 'edu-bureau' },
  { id: 'sports-center', name: '体育中心', kind: 'section', parentId: 'edu-bureau' },
  // 六(二) 1–14, the member units of 控辍保学 (3 is the bureau above).
  { id: 'staffing-office', name: '县委编办', kind: 'bureau' },
  { id: 'comprehensive-governance-office', name: '县政法委综治办', kind: 'bureau' },
  { id: 'finance-bureau', name: '县财政局', kind: 'bureau' },
  { id: 'hrss-bureau', name: '县人力资源和社会保障局', kind: 'bureau' },
  { id: 'public-security-bureau', name: '县公安局', kind: 'bureau' },
  { id: 'culture-tourism-bureau', name: '县文化旅游和广播影视局', kind: 'bureau' },
  { id: 'health-bureau', name: '县卫生和计划生育局', kind: 'bureau' },
  { id: 'market-supervision-bureau', name: '县食品药品工商质量监督管理局', kind: 'bureau' },
  { id: 'justice-bureau', name: '县司法局', kind: 'bureau' },
  { id: 'poverty-alleviation-office', name: '县脱贫攻坚办', kind: 'bureau' },
  { id: 'youth-league', name: '团县委', kind: 'other' },
  { id: 'womens-federation', name: '县妇联', kind: 'other' },
  { id: 'disabled-persons-federation', name: '县残联', kind: 'other' },
  // 六(二) 15–17: townships, their villages and schools (invented names).
  { id: 'chengguan-town', name: '城关镇', kind: 'township' },
  { id: 'hexi-township', name: '河西乡', kind: 'township' },
  { id: 'dongjie-village', name: '东街村', kind: 'village', parentId: 'chengguan-town' },
  { id: 'liuwan-village', name: '柳湾村', kind: 'village', parentId: 'hexi-township' },
  { id: 'chengguan-primary', name: '城关镇中心小学', kind: 'school', parentId: 'chengguan-town' },
  { id: 'hexi-central-school', name: '河西乡中心校', kind: 'school', parentId: 'hexi-township' },
];

interface DemoTask {
  title: string;
  description: string;
  phase: PhaseKey;
  lead: string;
  co?: readonly string[];
  /** The lead unit submits its duty with this note and evidence. */
  submission?: { note: string; evidence: Evidence };
}

/** 六、工作职责: (一)2 the office's own work, (二)1–17 the member units, (三)1–6 the bureau's sections. */
export const DEMO_TASKS: readonly DemoTask[] = [
  // (一)2 领导小组办公室
  {
    title: '分解落实迎国检工作任务',
    description:
      '负责教育扶贫迎国检工作相关文件、方案和汇报材料的起草制定;按要求分解落实教育扶贫迎国检工作任务;筹备召开领导小组会议和各项活动。',
    phase: 'mobilize',
    lead: 'yjb',
  },
  {
    title: '收集整理迎国检工作档案',
    description:
      '收集整理教育扶贫迎国检工作档案;定期向领导小组汇报、反馈教育扶贫迎国检工作推进情况;做好全县教育扶贫迎国检工作的宣传报道和舆论引导工作。',
    phase: 'consolidate',
    lead: 'yjb',
  },
  // (二) 控辍保学主要成员单位
  {
    title: '核定落实教师编制',
    description: '依法落实和完善教师管理体制,为教育行政部门核定落实编制数,确保学校教师编制数达标。',
    phase: 'self-check',
    lead: 'staffing-office',
  },
  {
    title: '清理整顿学校周边环境',
    description:
      '按照《义务教育法》和《未成年人保护法》等法律法规,会同有关部门加强对学校周边环境的清理整顿,为少年儿童健康成长创造良好环境。',
    phase: 'self-check',
    lead: 'comprehensive-governance-office',
    co: ['public-security-bureau', 'culture-tourism-bureau', 'market-supervision-bureau'],
  },
  {
    title: '制定控辍保学方案并落实任务',
    description:
      '制定控辍保学方案,落实学校控辍保学任务。建立适龄儿童辍学、失学信息通报制度,认真做好辍学学生的排查摸底和汇总上报工作,指导乡镇和学校切实采取措施,做好平安控辍、质量控辍、情感控辍工作。',
    phase: 'mobilize',
    lead: 'edu-bureau',
    submission: {
      note: '《全县控辍保学工作方案》已印发,辍学、失学信息通报制度已建立,控辍保学任务已分解到各乡(镇)、各学校。',
      evidence: {
        title: '全县控辍保学工作方案(印发稿)',
        ref: 'files/demo/edu-bureau/kongchuo-baoxue-plan.pdf',
      },
    },
  },
  {
    title: '保障义务教育经费足额拨付',
    description: '依法保障义务教育经费及时足额拨付到位。',
    phase: 'self-check',
    lead: 'finance-bureau',
  },
  {
    title: '开展用工执法检查禁用童工',
    description:
      '每年春秋两季各开展一次用工执法检查,坚决禁止使用童工。对违法用工单位和个人依法从严予以处罚。',
    phase: 'self-check',
    lead: 'hrss-bureau',
  },
  {
    title: '汇总提供适龄儿童信息',
    description:
      '指导各派出所每年将适龄儿童信息集中汇总,及时提供给辖区内各学校,建立健全适龄儿童少年人口档案资料;大力打击诱导、欺骗、敲诈学生和家长的不法分子,维护学校正常的教学秩序。',
    phase: 'mobilize',
    lead: 'public-security-bureau',
    submission: {
      note: '已汇总全县0至17周岁适龄儿童户籍信息,并分送辖区内各学校核对。',
      evidence: {
        title: '适龄儿童户籍信息汇总表',
        ref: 'files/demo/public-security-bureau/children-roster.xlsx',
      },
    },
  },
  {
    title: '加强文化市场监管',
    description:
      '加强文化市场监管,禁止互联网上网服务营业场所、歌舞娱乐场所接纳未成年人,禁止电子游戏场所在非国家法定节假日接纳未成年人,对违反规定的营业单位及个人依法处罚。',
    phase: 'self-check',
    lead: 'culture-tourism-bureau',
  },
  {
    title: '加强学校卫生工作与残疾儿童医学鉴定',
    description:
      '根据《学校卫生工作条例》,加强对学校卫生工作、卫生知识的宣传教育,加强对常见病、传染病的防治工作;对残疾失能的少年、儿童进行医学鉴定。',
    phase: 'self-check',
    lead: 'health-bureau',
  },
  {
    title: '查处非法招用适龄少年儿童',
    description: '负责对非法招收义务教育阶段适龄少年儿童务工、经商的单位和个人依法从重处罚。',
    phase: 'self-check',
    lead: 'market-supervision-bureau',
  },
  {
    title: '为控辍保学提供法律支持',
    description: '负责为我县依法开展“控辍保学”工作提供法律支持,切实维护适龄儿童的合法权利。',
    phase: 'improve',
    lead: 'justice-bureau',
  },
  {
    title: '更新建档立卡数据并协助控辍保学',
    description:
      '做好建档立卡贫困户的数据统计和更新,协助教育部门做好建档立卡贫困家庭适龄儿童的“控辍保学”工作。',
    phase: 'mobilize',
    lead: 'poverty-alleviation-office',
    co: ['edu-bureau'],
  },
  {
    title: '开展志愿服务行动',
    description: '组织开展志愿服务行动,促进少年儿童的品行培养。',
    phase: 'improve',
    lead: 'youth-league',
  },
  {
    title: '加强家庭教育指导',
    description: '加强家庭教育指导,优化少年儿童的成长环境。',
    phase: 'improve',
    lead: 'womens-federation',
  },
  {
    title: '核实残疾儿童基本情况',
    description: '负责准确核实全县残疾儿童基本情况,为各乡(镇)落实残疾儿童入学工作提供科学依据。',
    phase: 'mobilize',
    lead: 'disabled-persons-federation',
    submission: {
      note: '已核实全县残疾儿童基本情况,花名册已报县教育体育局并分送各乡(镇)。',
      evidence: {
        title: '全县残疾儿童基本情况花名册',
        ref: 'files/demo/disabled-persons-federation/roster.xlsx',
      },
    },
  },
  {
    title: '落实乡(镇)长负责制',
    description:
      '开展辖区内“控辍保学”工作。加强领导,落实“乡(镇)长负责制”,抓好依法控辍、行政控辍,确保适龄儿童全部入学,无一人辍学,全面提高义务教育水平。同时要指导好各村(居)委会密切关注辖区内子女入学就读情况,及时督促监护人按时送被监护人入学;要组织指导各村(居)委会制定和完善村规民约,切实保障适龄少年儿童接受义务教育的权利,对辖区内0-17周岁儿童情况进行调查核实统计,特别是适龄儿童入学情况按要求做好登记、汇总,确保其全部入学,无一人辍学。',
    phase: 'self-check',
    lead: 'chengguan-town',
    co: ['hexi-township'],
  },
  {
    title: '做好招生入学确保无一人流失',
    description:
      '各义务教育学校校长按照教育行政部门要求负责做好本校招生入学工作,落实好适龄儿童少年就近免试入学工作,维护学校正常教育教学秩序,为在校生提供安心、舒适的学习环境,建立好学困生帮扶机制,确保在校生无一人流失。',
    phase: 'self-check',
    lead: 'chengguan-primary',
    co: ['hexi-central-school'],
  },
  {
    title: '核实村组适龄儿童入学情况',
    description:
      '村长(居委会主任)按照乡镇政府的工作安排,负责核实村组(社区)适龄儿童入学情况,确保辖区内适龄儿童全部入学,义务教育阶段无一人辍学。',
    phase: 'self-check',
    lead: 'dongjie-village',
    co: ['liuwan-village'],
  },
  // (三) 县教育体育局各相关股室
  {
    title: '控辍保学与生均用房面积核实',
    description:
      '负责控辍保学工作,确保义务教育阶段无一人辍学;各学校生均教学及辅助用房面积统计核实,指导内业资料规范完备,确保评估验收达标。',
    phase: 'self-check',
    lead: 'edu-section',
  },
  {
    title: '落实教育扶贫救助基金和助学政策',
    description:
      '负责落实教育扶贫救助基金和各类助学政策,做好助学政策的宣传工作,扎实开展好从学前教育到高等教育完整的教育助学帮扶体系,指导内业资料规范完备,确保评估验收达标。',
    phase: 'self-check',
    lead: 'finance-section',
  },
  {
    title: '核实教师编制与师生比',
    description:
      '负责各学校教师编制统计核实,师生比的测算,教师学历统计,指导内业资料规范完备,确保评估验收达标。',
    phase: 'self-check',
    lead: 'personnel-section',
  },
  {
    title: '核实学校装备与图书配置',
    description: '负责各学校装备配置、图书配置的统计核实,指导内业资料规范完备,确保评估验收达标。',
    phase: 'self-check',
    lead: 'logistics-office',
  },
  {
    title: '落实“9+3”免费资助政策',
    description: '负责招生工作,落实“9+3”免费资助政策,内业资料规范完备,确保评估验收达标。',
    phase: 'improve',
    lead: 'admissions-office',
  },
  {
    title: '贫困村农民健身工程建设',
    description: '负责贫困村农民健身工程建设,内业资料规范完备,确保评估验收达标。',
    phase: 'consolidate',
    lead: 'sports-center',
  },
];

/** One duty per responsible unit of each task. */
export const DEMO_DUTY_COUNT = DEMO_TASKS.reduce((n, t) => n + 1 + (t.co?.length ?? 0), 0);

const OFFICE: Principal = { sub: 'demo-seed', role: 'office' };
const DAY_MS = 86_400_000;

/** Whole calendar days from one ISO date to another. */
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** The seed's phases moved so that `now`'s local date is day LIVE_DAY of LIVE_PHASE. */
export function demoPhases(now: Date): Phase[] {
  const live = DEMO_BASE_PHASES.find((p) => p.key === LIVE_PHASE);
  if (live === undefined) throw new Error(`demo seed has no phase ${LIVE_PHASE}`);
  const liveStart = addDays(localDateOf(now, DEMO_TIMEZONE), 1 - LIVE_DAY);
  return shiftPhases([...DEMO_BASE_PHASES], daysBetween(live.start, liveStart));
}

/** The schools that file the weekly form (每周五中午前各学校上报周报表). */
export const DEMO_WEEKLY_REPORT_UNITS = ['chengguan-primary', 'hexi-central-school'] as const;

/**
 * Fills an empty table with the demo campaign through the services, as the office (and, for the
 * submissions, as the units). Not idempotent: the caller runs it once, on first start.
 */
export async function seedDemo(
  services: Services,
  now: Date,
): Promise<{ planId: string; units: number; tasks: number }> {
  for (const unit of DEMO_UNITS) await services.units.create(OFFICE, unit, now);

  const phases = demoPhases(now);
  // Inputs go through the same schemas as the API's, defaults (escalation policy, kind) included.
  const plan = await services.plans.create(
    OFFICE,
    CreatePlanSchema.parse({ title: DEMO_PLAN_TITLE, timezone: DEMO_TIMEZONE, phases }),
    now,
  );
  const dueDates = new Map(phases.map((p) => [p.key, p.end ?? addDays(p.start, OPEN_PHASE_DUE_DAYS)]));

  for (const t of DEMO_TASKS) {
    const dueAt = dueDates.get(t.phase);
    if (dueAt === undefined) throw new Error(`demo seed has no phase ${t.phase}`);
    const task = await services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({
        title: t.title,
        description: t.description,
        phaseKey: t.phase,
        leadUnitId: t.lead,
        coUnitIds: [...(t.co ?? [])],
        dueAt,
      }),
      now,
    );
    const lead = task.duties.find((d) => d.role === 'lead');
    if (t.submission !== undefined && lead !== undefined) {
      const unit: Principal = { sub: `demo-${t.lead}`, role: 'unit', unitId: t.lead };
      await services.duties.submit(
        unit,
        lead.id,
        SubmitDutySchema.parse({
          note: t.submission.note,
          evidence: [t.submission.evidence],
          version: lead.version,
        }),
        now,
      );
    }
  }
  // 每周五中午前各学校上报周报表 (seed 000's weekly form), under the zero-report rule: a recurring
  // report whose occurrences are created ahead and escalate like any other duty.
  await services.plans.createTask(
    OFFICE,
    plan.id,
    CreateTaskSchema.parse({
      title: '学校周报表(零报告)',
      description: '每周五中午前各学校上报周报表;没有情况也要报告,不得瞒报、漏报、错报。',
      phaseKey: 'self-check',
      leadUnitId: DEMO_WEEKLY_REPORT_UNITS[0],
      coUnitIds: DEMO_WEEKLY_REPORT_UNITS.slice(1),
      kind: 'report',
      recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
    }),
    now,
  );
  return { planId: plan.id, units: DEMO_UNITS.length, tasks: DEMO_TASKS.length + 1 };
}
