import type { FINDING_SOURCES } from '../../schemas/findings.js';
import type {
  ReportContent,
  ReportExtensionFact,
  ReportFinding,
  ReportFindingFact,
  ReportLevel,
  ReportOverdueDuty,
  ReportPhase,
  ReportUnitStats,
} from '../../schemas/reports.js';
import { type WorkingCalendar, workingDaysLate } from '../calendar/working-calendar.js';
import type { DutyStatus } from '../duty/duty-status.js';
import { levelLabel } from '../escalation/ladder.js';
import { DEFAULT_LATE_EXTENSION_HOURS } from '../indicator/scoring.js';
import {
  kindField,
  type ReceiptCell,
  receiptCounts,
  receiptFigures,
  type UnitPhaseCounts,
} from '../plan/counters.js';
import { type Phase, phaseState } from '../plan/phases.js';
import { startOfLocalDay } from '../time/zoned-time.js';
import { type DutyFact, dutyAt } from './duty-at.js';
import { completionRateOf, PINYIN, phaseCompletionRate, RANKING_RULE, rankUnits, rateOf } from './ranking.js';
import { type ScoringInput, scoreReport } from './report-scores.js';

/** At most this many overdue duties are stored with a report: the longest overdue first. */
export const OVERDUE_CAP = 5_000;

/** The rules a report is computed by, printed with it (JSON, CSV notes, the workbook's 说明 sheet). */
export const REPORT_RULES = {
  done: '办结 = 审核通过;已提交待审核的单独统计,不算办结。办结率 = 已办结 ÷ 截止时已到期的任务(未到期的待办任务不计入,提前办结的计入)',
  onTime:
    '按时 = 审核通过的那一轮,提交时间不晚于该轮的截止时间(恰在截止时刻提交算按时;退回整改的以整改期限为准)。按时办结率 = 按时办结 ÷ (已办结 + 逾期未办);已提交待审核和未到期的任务不计入',
  overdue:
    '逾期未办 = 截止时仍待办且已过截止时间(恰在截止时刻的不算逾期);逾期天数按工作日计(国家法定节假日与调休,以方案时区的日期为准)',
  ranking: RANKING_RULE,
  extensions:
    '延期 = 截止时间前提出的延期申请,按申请单位统计:截止时已提出、其中本期内提出、已批准、已驳回、尚待审批;批准后按新的截止时间判断按时与逾期',
  rectification:
    '整改 = 督查发现问题(自查、县级检查、四不两直暗访、上级检查)转成的整改任务:计入应办、办结、逾期各列和排名,同时单列各单位的整改任务数和每个问题的整改情况;问题的全部整改任务办结即销号',
} as const;

/** How the report names a finding's source. */
export const FINDING_SOURCE_LABELS: Record<(typeof FINDING_SOURCES)[number], string> = {
  'self-check': '自查',
  'county-check': '县级检查',
  unannounced: '四不两直暗访',
  'higher-level': '上级检查',
};

export interface ReportBuilderInput {
  asOf: Date;
  timezone: string;
  phases: readonly Phase[];
  /** The levels of the plan's escalation policy, in order (notices of other levels are added after). */
  levels: readonly string[];
  calendar: WorkingCalendar;
  overdueCap?: number;
  /** First local date (`YYYY-MM-DD`) of the report's period: extension requests since then are "this period's". */
  periodStart?: string;
  /** An extension request filed less than this many hours before its deadline is late (临期申请); default 24. */
  lateExtensionHours?: number;
  /** 量化考评: the rules and each unit's indicator results, to score every unit at the cut-off. */
  scoring?: ScoringInput;
}

/** An open duty due by the cut-off, as the report reads it from the due-time index. */
export interface PastDueFact {
  id: string;
  taskId: string;
  unitId: string;
  phaseKey: string;
  title: string;
  kind: DutyFact['kind'];
  dueAt: string;
  round: number;
}

export interface ReportBuilt {
  content: ReportContent;
  dutiesRead: number;
  noticesRead: number;
  approximated: number;
}

/**
 * Accumulates a report a page at a time, so memory grows with the units, phases and the capped
 * overdue list, never with the duties: `addDuties` and `addNotices` for every page, then `finish`.
 */
export interface ReportBuilder {
  addDuties(batch: readonly DutyFact[]): void;
  /**
   * Notices written up to the cut-off (the caller's query bounds them); in any order relative to
   * the duties, so both can be read at once.
   */
  addNotices(batch: readonly { unitId: string; level: string }[]): void;
  /** Extension requests (延期申请) filed up to the cut-off, any order; later ones are ignored. */
  addExtensions(batch: readonly ReportExtensionFact[]): void;
  /** The plan's supervision findings, any order; those made after the cut-off are ignored. */
  addFindings(batch: readonly ReportFindingFact[]): void;
  /**
   * The counters' way, for a cut-off at "now" on a counted plan (instead of `addDuties`): the plan's
   * counter items (one per unit and phase) as they stand, then `addPastDue` and `addFiledNotDue`
   * for what depends on the clock, and `addRectificationDuties` for the findings' duties. In any
   * order; the figures come out the same as `addDuties` over every duty would give.
   */
  addCounts(cells: readonly UnitPhaseCounts[]): void;
  /** The open duties due by the cut-off (pattern D4 up to it, the due instant included). */
  addPastDue(batch: readonly PastDueFact[]): void;
  /** Periodic reports (`kind: report`) already submitted or accepted but not yet due at the cut-off. */
  addFiledNotDue(batch: readonly { unitId: string }[]): void;
  /** The rectification duties of the plan's findings, as they stand (for the per-finding section only). */
  addRectificationDuties(batch: readonly DutyFact[]): void;
  /** The units seen so far, for looking up their names. */
  unitIds(): string[];
  finish(unitNames: ReadonlyMap<string, string>): ReportBuilt;
}

interface Tally {
  assigned: number;
  doneOnTime: number;
  doneLate: number;
  submitted: number;
  openNotDue: number;
  overdue: number;
  worstWorkingDaysLate: number;
  overdueWorkingDays: number;
  returns: number;
  reportsDue: number;
  reportsFiled: number;
  notices: Map<string, number>;
  rectification: {
    assigned: number;
    accepted: number;
    submitted: number;
    openNotDue: number;
    overdue: number;
  };
}

interface ExtensionTally {
  requested: number;
  inPeriod: number;
  approved: number;
  refused: number;
  pending: number;
  late: number;
}

/** A rectification duty as it stood at the cut-off, kept to join with its finding. */
interface RectificationAt {
  unitId: string;
  status: DutyStatus;
  dueAt: string;
  overdue: boolean;
  acceptedAt: string | null;
}

interface PhaseTally {
  duties: number;
  accepted: number;
  submitted: number;
  open: number;
  overdue: number;
}

type OverdueCandidate = Omit<ReportOverdueDuty, 'unitName'>;

const tally = (): Tally => ({
  assigned: 0,
  doneOnTime: 0,
  doneLate: 0,
  submitted: 0,
  openNotDue: 0,
  overdue: 0,
  worstWorkingDaysLate: 0,
  overdueWorkingDays: 0,
  returns: 0,
  reportsDue: 0,
  reportsFiled: 0,
  notices: new Map(),
  rectification: { assigned: 0, accepted: 0, submitted: 0, openNotDue: 0, overdue: 0 },
});

const extensionTally = (): ExtensionTally => ({
  requested: 0,
  inPeriod: 0,
  approved: 0,
  refused: 0,
  pending: 0,
  late: 0,
});

const phaseTally = (): PhaseTally => ({ duties: 0, accepted: 0, submitted: 0, open: 0, overdue: 0 });

/** A unit's (or the plan's) figures from its tally. */
function stats(t: Tally, levels: readonly ReportLevel[], extensions: ExtensionTally): ReportUnitStats {
  const accepted = t.doneOnTime + t.doneLate;
  return {
    assigned: t.assigned,
    doneOnTime: t.doneOnTime,
    doneLate: t.doneLate,
    submitted: t.submitted,
    openNotDue: t.openNotDue,
    overdue: t.overdue,
    worstWorkingDaysLate: t.worstWorkingDaysLate,
    overdueWorkingDays: t.overdueWorkingDays,
    notices: Object.fromEntries(levels.map((l) => [l.level, t.notices.get(l.level) ?? 0])),
    returns: t.returns,
    reports: { due: t.reportsDue, filed: t.reportsFiled },
    completionRate: completionRateOf({ accepted, duties: t.assigned, openNotDue: t.openNotDue }),
    onTimeRate: rateOf(t.doneOnTime, accepted + t.overdue),
    extensions: { ...extensions },
    rectification: { ...t.rectification },
  };
}

/** The figures of a unit with no duty in the report: every count 0, no rate. */
export const emptyUnitStats = (levels: readonly ReportLevel[]): ReportUnitStats =>
  stats(tally(), levels, extensionTally());

/** Longest overdue first, then earliest due, then by unit and duty so the order is total. */
function compareOverdue(a: OverdueCandidate, b: OverdueCandidate): number {
  return (
    b.workingDaysLate - a.workingDaysLate ||
    (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0) ||
    (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0) ||
    (a.dutyId < b.dutyId ? -1 : a.dutyId > b.dutyId ? 1 : 0)
  );
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Starts a report for a plan at the cut-off `asOf`. */
export function createReportBuilder(input: ReportBuilderInput): ReportBuilder {
  const asOfIso = input.asOf.toISOString();
  const cap = input.overdueCap ?? OVERDUE_CAP;
  const totals = tally();
  const units = new Map<string, Tally>();
  const phases = new Map<string, { all: PhaseTally; units: Map<string, PhaseTally> }>();
  const levelsSeen = new Set<string>();
  // Kept apart and joined to the units at the end: a unit's notices may arrive before its duties.
  const noticesByUnit = new Map<string, Map<string, number>>();
  const extensionsByUnit = new Map<string, ExtensionTally>();
  const extensionTotals = extensionTally();
  const periodStartIso =
    input.periodStart === undefined
      ? undefined
      : startOfLocalDay(input.periodStart, input.timezone).toISOString();
  const lateExtensionMs = (input.lateExtensionHours ?? DEFAULT_LATE_EXTENSION_HOURS) * 3_600_000;
  // Rectification duties are few (a finding's units), so each is kept until its finding is seen.
  const rectifications = new Map<string, RectificationAt>();
  // 签收 per unit, as the counters keep it: the same figures from either way of reading.
  const receipts = new Map<string, ReceiptCell['fields']>();
  const addReceipt = (unitId: string, f: ReceiptCell['fields']) => {
    const sum = getOrAdd(receipts, unitId, () => receiptCounts(null));
    sum.receiptPending += f.receiptPending;
    sum.receiptSigned += f.receiptSigned;
    sum.receiptSignedLate += f.receiptSignedLate;
    sum.receiptMinutes += f.receiptMinutes;
  };
  const receiptSection = (nameOf: (id: string) => string): NonNullable<ReportContent['receipts']> => {
    const { all, byUnit } = receiptFigures([...receipts].map(([unitId, fields]) => ({ unitId, fields })));
    return {
      all,
      units: Object.entries(byUnit)
        .map(([unitId, f]) => ({ unitId, unitName: nameOf(unitId), ...f }))
        .sort((a, b) => b.unsigned - a.unsigned || a.unitId.localeCompare(b.unitId)),
    };
  };
  const findings = new Map<string, ReportFindingFact>();
  let overdue: OverdueCandidate[] = [];
  let dutiesRead = 0;
  let noticesRead = 0;
  let approximated = 0;
  // Many duties share a due time (a task's units, a recurring occurrence): count each once.
  const lateByDue = new Map<string, number>();
  const lateOf = (dueAt: string) =>
    getOrAdd(lateByDue, dueAt, () =>
      workingDaysLate(new Date(dueAt), input.asOf, input.timezone, input.calendar),
    );

  function keepRectification(fact: DutyFact, at: NonNullable<ReturnType<typeof dutyAt>>) {
    rectifications.set(fact.id, {
      unitId: fact.unitId,
      status: at.status,
      dueAt: at.dueAt,
      overdue: at.status === 'open' && at.dueAt < asOfIso,
      acceptedAt: at.status === 'accepted' ? fact.acceptedAt : null,
    });
  }

  function trimOverdue() {
    overdue.sort(compareOverdue);
    overdue = overdue.slice(0, cap);
  }

  function keepOverdue(candidate: OverdueCandidate) {
    overdue.push(candidate);
    if (overdue.length >= 2 * cap) trimOverdue();
  }

  /** A unit's tally and its phase's, as `addDuties` makes them. */
  function tallies(unitId: string, phaseKey: string) {
    const unit = getOrAdd(units, unitId, tally);
    const phase = getOrAdd(phases, phaseKey, () => ({ all: phaseTally(), units: new Map() }));
    return { unit, phase: phase.all, phaseUnit: getOrAdd(phase.units, unitId, phaseTally) };
  }

  function rectificationSection(
    nameOf: (id: string) => string,
  ): NonNullable<ReportContent['rectifications']> {
    const items: ReportFinding[] = [];
    for (const f of findings.values()) {
      const units = f.dutyIds.flatMap((dutyId) => {
        const d = rectifications.get(dutyId);
        return d === undefined
          ? []
          : [
              {
                unitId: d.unitId,
                unitName: nameOf(d.unitId),
                dutyId,
                status: d.status,
                dueAt: d.dueAt,
                overdue: d.overdue,
              },
            ];
      });
      const accepted = units.filter((u) => u.status === 'accepted');
      // 销号 when every duty the finding made was accepted by the cut-off, or (a self-check finding)
      // when its sources agreed again by then.
      const resolvedAt = f.resolvedAt != null && f.resolvedAt <= asOfIso ? f.resolvedAt : null;
      const closed = resolvedAt !== null || (f.dutyIds.length > 0 && accepted.length === f.dutyIds.length);
      const closedAt =
        resolvedAt ??
        (closed
          ? (f.dutyIds
              .map((id) => rectifications.get(id)?.acceptedAt ?? '')
              .sort()
              .at(-1) ?? null)
          : null);
      items.push({
        findingId: f.id,
        title: f.title,
        source: f.source,
        sourceLabel: FINDING_SOURCE_LABELS[f.source],
        phaseKey: f.phaseKey,
        dueAt: f.dueAt,
        createdAt: f.createdAt,
        duties: f.dutyIds.length,
        accepted: accepted.length,
        submitted: units.filter((u) => u.status === 'submitted').length,
        overdue: units.filter((u) => u.overdue).length,
        closed,
        closedAt: closedAt === '' ? null : closedAt,
        units: units.sort((a, b) => PINYIN.compare(a.unitName, b.unitName) || (a.unitId < b.unitId ? -1 : 1)),
      });
    }
    // Open findings first (the ones still to chase), then by deadline, then by id for a total order.
    items.sort(
      (a, b) =>
        Number(a.closed) - Number(b.closed) ||
        (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0) ||
        (a.findingId < b.findingId ? -1 : 1),
    );
    return {
      findings: items.length,
      closed: items.filter((i) => i.closed).length,
      duties: items.reduce((n, i) => n + i.duties, 0),
      accepted: items.reduce((n, i) => n + i.accepted, 0),
      overdue: items.reduce((n, i) => n + i.overdue, 0),
      items,
    };
  }

  return {
    addDuties(batch) {
      for (const fact of batch) {
        dutiesRead++;
        const at = dutyAt(fact, asOfIso);
        if (at === undefined) continue;
        if (!at.exact) approximated++;
        const r = fact.receipt;
        // As of the cut-off: given by then, and signed only if signed by then.
        if (r != null && r.since <= asOfIso)
          addReceipt(fact.unitId, receiptCounts(r.at !== null && r.at > asOfIso ? { ...r, at: null } : r));
        const unit = getOrAdd(units, fact.unitId, tally);
        const phase = getOrAdd(phases, fact.phaseKey, () => ({ all: phaseTally(), units: new Map() }));
        const phaseUnit = getOrAdd(phase.units, fact.unitId, phaseTally);
        const isOverdue = at.status === 'open' && at.dueAt < asOfIso;
        const late = isOverdue ? lateOf(at.dueAt) : 0;
        for (const t of [totals, unit]) {
          t.assigned++;
          t.returns += at.returns;
          if (at.status === 'accepted') {
            // Exactly at the due instant is on time.
            if (at.submittedAt !== null && at.submittedAt <= at.dueAt) t.doneOnTime++;
            else t.doneLate++;
          } else if (at.status === 'submitted') t.submitted++;
          else if (isOverdue) {
            t.overdue++;
            t.worstWorkingDaysLate = Math.max(t.worstWorkingDaysLate, late);
            t.overdueWorkingDays += late;
          } else t.openNotDue++;
          // Zero-report rule: every period that has come due counts, filed when submitted by then.
          if (fact.kind === 'report' && at.dueAt <= asOfIso) {
            t.reportsDue++;
            if (at.status !== 'open') t.reportsFiled++;
          }
          if (fact.kind === 'rectification') {
            const r = t.rectification;
            r.assigned++;
            if (at.status === 'accepted') r.accepted++;
            else if (at.status === 'submitted') r.submitted++;
            else if (isOverdue) r.overdue++;
            else r.openNotDue++;
          }
        }
        if (fact.kind === 'rectification') keepRectification(fact, at);
        for (const p of [phase.all, phaseUnit]) {
          p.duties++;
          if (at.status === 'accepted') p.accepted++;
          else if (at.status === 'submitted') p.submitted++;
          else p.open++;
          if (isOverdue) p.overdue++;
        }
        if (isOverdue) {
          keepOverdue({
            dutyId: fact.id,
            taskId: fact.taskId,
            title: fact.title,
            unitId: fact.unitId,
            phaseKey: fact.phaseKey,
            dueAt: at.dueAt,
            workingDaysLate: late,
            round: at.round,
          });
        }
      }
    },

    addCounts(cells) {
      for (const cell of cells) {
        const f = cell.fields;
        addReceipt(cell.unitId, f);
        const duties = f.open + f.submitted + f.accepted;
        // A cell whose duties all moved elsewhere is no unit's row, as in the replay.
        if (duties === 0) continue;
        const { unit, phase, phaseUnit } = tallies(cell.unitId, cell.phaseKey);
        const reportsFiled = f[kindField('report', 'submitted')] + f[kindField('report', 'accepted')];
        for (const t of [totals, unit]) {
          t.assigned += duties;
          t.returns += f.returns;
          t.doneOnTime += f.acceptedOnTime;
          t.doneLate += f.acceptedLate;
          t.submitted += f.submitted;
          // Open ones past due move to `overdue` as `addPastDue` reads them.
          t.openNotDue += f.open;
          // Filed ones not yet due come off as `addFiledNotDue` reads them; open due ones are added there.
          t.reportsDue += reportsFiled;
          t.reportsFiled += reportsFiled;
          const r = t.rectification;
          r.assigned +=
            f[kindField('rectification', 'open')] +
            f[kindField('rectification', 'submitted')] +
            f[kindField('rectification', 'accepted')];
          r.accepted += f[kindField('rectification', 'accepted')];
          r.submitted += f[kindField('rectification', 'submitted')];
          r.openNotDue += f[kindField('rectification', 'open')];
        }
        for (const p of [phase, phaseUnit]) {
          p.duties += duties;
          p.accepted += f.accepted;
          p.submitted += f.submitted;
          p.open += f.open;
        }
      }
    },

    addPastDue(batch) {
      for (const d of batch) {
        dutiesRead++;
        const { unit, phase, phaseUnit } = tallies(d.unitId, d.phaseKey);
        const isOverdue = d.dueAt < asOfIso;
        const late = isOverdue ? lateOf(d.dueAt) : 0;
        for (const t of [totals, unit]) {
          if (d.kind === 'report') t.reportsDue++;
          if (!isOverdue) continue;
          t.openNotDue--;
          t.overdue++;
          t.worstWorkingDaysLate = Math.max(t.worstWorkingDaysLate, late);
          t.overdueWorkingDays += late;
          if (d.kind === 'rectification') {
            t.rectification.openNotDue--;
            t.rectification.overdue++;
          }
        }
        if (!isOverdue) continue;
        phase.overdue++;
        phaseUnit.overdue++;
        keepOverdue({
          dutyId: d.id,
          taskId: d.taskId,
          title: d.title,
          unitId: d.unitId,
          phaseKey: d.phaseKey,
          dueAt: d.dueAt,
          workingDaysLate: late,
          round: d.round,
        });
      }
    },

    addFiledNotDue(batch) {
      for (const d of batch) {
        dutiesRead++;
        const unit = getOrAdd(units, d.unitId, tally);
        for (const t of [totals, unit]) {
          t.reportsDue--;
          t.reportsFiled--;
        }
      }
    },

    addRectificationDuties(batch) {
      for (const fact of batch) {
        dutiesRead++;
        const at = dutyAt(fact, asOfIso);
        if (at !== undefined && fact.kind === 'rectification') keepRectification(fact, at);
      }
    },

    addNotices(batch) {
      for (const notice of batch) {
        noticesRead++;
        levelsSeen.add(notice.level);
        totals.notices.set(notice.level, (totals.notices.get(notice.level) ?? 0) + 1);
        const unit = getOrAdd(noticesByUnit, notice.unitId, () => new Map<string, number>());
        unit.set(notice.level, (unit.get(notice.level) ?? 0) + 1);
      }
    },

    addExtensions(batch) {
      for (const e of batch) {
        if (e.requestedAt > asOfIso) continue;
        const unit = getOrAdd(extensionsByUnit, e.unitId, extensionTally);
        // Decided after the cut-off is still pending at it.
        const decided = e.decidedAt !== null && e.decidedAt <= asOfIso ? e.status : 'pending';
        const late =
          e.dueAtWhenRequested != null &&
          Date.parse(e.dueAtWhenRequested) - Date.parse(e.requestedAt) < lateExtensionMs;
        for (const t of [extensionTotals, unit]) {
          t.requested++;
          if (late) t.late++;
          if (periodStartIso !== undefined && e.requestedAt >= periodStartIso) t.inPeriod++;
          t[decided]++;
        }
      }
    },

    addFindings(batch) {
      for (const f of batch) if (f.createdAt <= asOfIso) findings.set(f.id, f);
    },

    unitIds() {
      return [...units.keys()];
    },

    finish(unitNames) {
      for (const [unitId, counts] of noticesByUnit) {
        const unit = units.get(unitId);
        if (unit !== undefined) unit.notices = counts;
      }
      const nameOf = (id: string) => unitNames.get(id) ?? id;
      const planLevels = [...new Set(input.levels)];
      const extra = [...levelsSeen].filter((l) => !planLevels.includes(l)).sort();
      const levels = [...planLevels, ...extra].map((level) => ({ level, label: levelLabel(level) }));

      const ranked = rankUnits(
        [...units.entries()].map(([unitId, t]) => ({
          unitId,
          unitName: nameOf(unitId),
          doneOnTime: t.doneOnTime,
          doneLate: t.doneLate,
          overdue: t.overdue,
          tally: t,
        })),
      );

      const phaseRows: ReportPhase[] = [];
      const known = new Map(input.phases.map((p) => [p.key, p]));
      const keys = [
        ...input.phases.map((p) => p.key),
        ...[...phases.keys()].filter((k) => !known.has(k)).sort(),
      ];
      for (const key of keys) {
        const phase = known.get(key);
        const counts = phases.get(key) ?? { all: phaseTally(), units: new Map<string, PhaseTally>() };
        const state = phase === undefined ? 'active' : phaseState(phase, input.asOf, input.timezone);
        phaseRows.push({
          key,
          name: phase?.name ?? key,
          start: phase?.start ?? null,
          end: phase?.end ?? null,
          state,
          ...counts.all,
          completionRate: phaseCompletionRate(counts.all),
          endedWithOpenWork: state === 'ended' && counts.all.open + counts.all.submitted > 0,
          units: [...counts.units.entries()]
            .map(([unitId, c]) => ({ unitId, unitName: nameOf(unitId), ...c }))
            .sort((a, b) => PINYIN.compare(a.unitName, b.unitName) || (a.unitId < b.unitId ? -1 : 1)),
        });
      }

      const overdueTotal = totals.overdue;
      trimOverdue();
      const totalsStats = stats(totals, levels, extensionTotals);
      const unitRows = ranked.map((r) => ({
        rank: r.rank,
        unitId: r.unitId,
        unitName: r.unitName,
        ...stats(r.tally, levels, extensionsByUnit.get(r.unitId) ?? extensionTally()),
      }));
      return {
        content: {
          levels,
          totals: totalsStats,
          units: unitRows,
          scoring: input.scoring === undefined ? null : scoreReport(unitRows, input.scoring),
          phases: phaseRows,
          overdue: {
            total: overdueTotal,
            cap,
            truncated: overdueTotal > overdue.length,
            items: overdue.map((o) => ({ ...o, unitName: nameOf(o.unitId) })),
          },
          rectifications: rectificationSection(nameOf),
          receipts: receiptSection(nameOf),
        },
        dutiesRead,
        noticesRead,
        approximated,
      };
    },
  };
}
