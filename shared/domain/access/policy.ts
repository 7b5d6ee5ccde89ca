import type { Principal } from '../../auth/principal.js';

/**
 * Every permission check of the product, in one place. Routes and services name an action and,
 * where the answer depends on whose data it is, the unit that owns it (or a notice's recipients);
 * they never test roles themselves.
 *
 * office: everything, except acknowledging notices not addressed to it. leader: reads everything
 * and acknowledges notices addressed to leaders. unit: reads plans, tasks, the unit directory and
 * the calendar; reads and submits only its own duties; reads and acknowledges its own notices. A
 * unit above another in the tree (a township over its villages) reads that unit's duties and
 * notices, and never changes them.
 */
export type Action =
  | 'unit.create'
  | 'unit.deactivate'
  | 'unit.read'
  | 'plan.create'
  | 'plan.read'
  | 'task.create'
  | 'task.read'
  | 'duty.read'
  | 'duty.submit'
  | 'duty.review'
  | 'duty.confirm'
  | 'duty.receive'
  | 'duty.remind'
  | 'extension.request'
  | 'extension.decide'
  | 'phase.close'
  | 'phase.reopen'
  | 'finding.create'
  | 'notice.read'
  | 'notice.ack'
  | 'sweep.run'
  | 'counters.recount'
  | 'calendar.read'
  | 'calendar.write'
  | 'report.read'
  | 'report.create'
  | 'audit.read'
  // 控辍保学 cases: the school records, its chain reads, each actor does its own steps.
  | 'case.create'
  | 'case.read'
  | 'case.act.school'
  | 'case.act.township'
  | 'case.act.bureau'
  | 'unit.update'
  | 'indicator.read'
  | 'indicator.write'
  | 'figure.report'
  | 'channel.manage'
  // 领导批示: a leader (or the office) writes an instruction on a task or a duty.
  | 'instruction.write'
  // 转办: the unit holding a duty passes it down to units below it.
  | 'duty.handoff'
  // 控辍保学: the office's step deadlines and retention; the county ledger and its export.
  | 'case.settings'
  | 'case.ledger'
  // 留守儿童关爱档案: the school keeps its children's files and records; its chain reads them.
  | 'care.write'
  | 'care.read'
  // 下级任务: a unit's view of the units below it (a township's villages and schools).
  | 'below.read';

export type Decision = { allowed: true } | { allowed: false; message: string };

const ALLOW: Decision = { allowed: true };
const deny = (message: string): Decision => ({ allowed: false, message });

/** The inbox a principal reads and acknowledges as: its unit, or its role's shared inbox. */
export function recipientOf(principal: Principal): string {
  if (principal.role === 'unit') return `unit:${principal.unitId ?? ''}`;
  return principal.role === 'leader' ? 'role:leaders' : 'role:office';
}

export interface ResourceContext {
  /** The unit whose data it is (a duty's unit, a listing's unit). */
  ownerUnitId?: string | undefined;
  /** The owner's parent, grandparent …: a unit above the owner may read (never edit) its data. */
  ownerAncestors?: readonly string[] | undefined;
  /** A notice's recipients. */
  recipients?: readonly string[] | undefined;
}

/** Decides whether `principal` may perform `action` on the resource described by `context`. */
export function decide(principal: Principal, action: Action, context: ResourceContext = {}): Decision {
  // Acknowledging says "we have read it": only the addressee can say that, the office included.
  if (action === 'notice.ack') {
    return context.recipients?.includes(recipientOf(principal))
      ? ALLOW
      : deny('只能签收发给本单位(或本角色)的通知');
  }
  // 签收 is the unit's own word that it has the duty: nobody signs for it, the office included.
  if (action === 'duty.receive') {
    return principal.role === 'unit' &&
      context.ownerUnitId !== undefined &&
      context.ownerUnitId === principal.unitId
      ? ALLOW
      : deny('只能由责任单位签收本单位的任务');
  }
  // 转办 is the holding unit's own act (it answers for its units' parts): nobody passes it for it.
  if (action === 'duty.handoff') {
    return principal.role === 'unit' &&
      context.ownerUnitId !== undefined &&
      context.ownerUnitId === principal.unitId
      ? ALLOW
      : deny('只能由责任单位转办本单位的任务');
  }
  if (principal.role === 'office') return ALLOW;
  const own = context.ownerUnitId !== undefined && context.ownerUnitId === principal.unitId;
  const above = principal.unitId !== undefined && (context.ownerAncestors ?? []).includes(principal.unitId);
  switch (action) {
    case 'unit.read':
    case 'plan.read':
    case 'task.read':
    case 'calendar.read':
    // Everyone reads reports; what a unit sees of other units is decided by the report service.
    case 'report.read':
    // The indicator table is statistics (counts and sums, no child's name): everyone reads it.
    case 'indicator.read':
      return ALLOW;
    case 'figure.report':
      // 填报: a unit reports its own figures; a unit above it and the leaders only read them.
      return principal.role === 'unit' && own ? ALLOW : deny('只能填报本单位的指标数据');
    case 'duty.read':
      if (principal.role === 'leader') return ALLOW;
      return own || above ? ALLOW : deny('只能查看本单位(及下级单位)的任务');
    case 'notice.read':
      if (principal.role === 'leader') return ALLOW;
      return own || above ? ALLOW : deny('只能查看本单位(及下级单位)的通知');
    case 'duty.confirm':
      // Confirming is the upper levels' word on a lower unit's work (村→乡镇→局), never the unit's own.
      return above ? ALLOW : deny('只有上级单位可以确认');
    case 'duty.remind':
      // 催办 is the supervisors' press: the office, or a unit over the owner (a township over its villages).
      return principal.role === 'unit' && above ? ALLOW : deny('只有办公室或上级单位可以催办');
    case 'instruction.write':
      return principal.role === 'leader' ? ALLOW : deny('只有领导或领导小组办公室可以批示');
    case 'extension.decide':
    case 'phase.close':
      // 延期 and 阶段关闭 are the supervisors' decisions: the office or a leader.
      return principal.role === 'leader' ? ALLOW : deny('只有办公室或领导可以执行此操作');
    case 'extension.request':
      return principal.role === 'unit' && own ? ALLOW : deny('只能为本单位的任务申请延期');
    case 'duty.submit':
      if (principal.role === 'leader') return deny('领导只能查看,不能代替单位提交');
      return own ? ALLOW : deny('只能提交本单位的任务');
    case 'unit.create':
    case 'unit.deactivate':
    case 'phase.reopen':
    case 'plan.create':
    case 'task.create':
    case 'duty.review':
    case 'sweep.run':
    case 'counters.recount':
    case 'calendar.write':
    case 'report.create':
    case 'finding.create':
    case 'audit.read':
    case 'unit.update':
    case 'indicator.write':
    case 'channel.manage':
    case 'case.settings':
      return deny('只有领导小组办公室可以执行此操作');
    case 'case.create':
    case 'case.act.school':
      // A child's absence, its contacts, notice, report, return and registry update: the school's.
      return principal.role === 'unit' && own ? ALLOW : deny('只能办理本校学生的控辍保学事项');
    case 'case.read':
      // The school, the township above it, the bureau (office) and leaders; no other school.
      if (principal.role === 'leader') return ALLOW;
      return own || above ? ALLOW : deny('只能查看本校(或本乡镇学校)的学生');
    case 'case.act.township':
      // 乡镇或教体局安排人员劝返: the township the school sits in (or the office).
      return principal.role === 'unit' && above ? ALLOW : deny('只有学校所在乡镇或教体局可以办理此步骤');
    case 'case.act.bureau':
      return deny('只有县教体局(领导小组办公室)可以办理此步骤');
    case 'below.read':
      // Its own units below, or (a bureau) a township's below it; leaders read every unit's.
      if (principal.role === 'leader') return ALLOW;
      return own || above ? ALLOW : deny('只能查看本单位(及所辖单位)的下级任务');
    case 'case.ledger':
      // The county ledger: the office and leaders; a township its own part; no school, no other unit.
      if (principal.role === 'leader') return ALLOW;
      return principal.role === 'unit' && own ? ALLOW : deny('只有教体局、领导和本乡镇可以查看控辍保学台账');
    case 'care.write':
      return principal.role === 'unit' && own ? ALLOW : deny('只能办理本校留守儿童的关爱档案');
    case 'care.read':
      if (principal.role === 'leader') return ALLOW;
      return own || above ? ALLOW : deny('只能查看本校(或本乡镇学校)留守儿童的关爱档案');
  }
}

/**
 * What a reader sees of data spread over many units (a report, the supervision findings): all of
 * it, or (a unit user) its own unit's part. A unit user without a unit sees no unit's part.
 */
export type Readership = { scope: 'all' } | { scope: 'unit'; unitId: string };

export function readershipOf(principal: Principal): Readership {
  return principal.role === 'unit' ? { scope: 'unit', unitId: principal.unitId ?? '' } : { scope: 'all' };
}

/**
 * Supervision findings (督查整改), one rule for the API, the pages and the report: the office and
 * leaders see every finding whole; a unit sees **the findings that name it**, and of each only its
 * own part (its own rectification duty). The finding's own facts — title, detail, source, deadline,
 * how many of its duties are done and whether it is closed (销号) — name no other unit and stay.
 * Returns the parts of a finding (its units, its duties …) that `reader` sees, or `undefined` when
 * the finding does not name the reader's unit and is not the reader's to see at all.
 */
export function findingPartsFor<T>(
  reader: Readership,
  parts: readonly T[],
  unitOf: (part: T) => string,
): T[] | undefined {
  if (reader.scope === 'all') return [...parts];
  const own = parts.filter((part) => unitOf(part) === reader.unitId);
  return own.length === 0 ? undefined : own;
}
