import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type {
  CaseRange,
  CaseRecord,
  CaseRepository,
  CaseScope,
  CaseStepRecord,
} from '../db/case-repository.js';
import { CLOSED_CASE_PREFIX, OPEN_CASE_PREFIX } from '../db/keys.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { RosterRepository } from '../db/roster-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import type { Action } from '../domain/access/policy.js';
import { createWorkingCalendar, type WorkingCalendar } from '../domain/calendar/working-calendar.js';
import {
  CASE_STAGE_LABELS,
  type CaseStanding,
  caseStanding,
  DEFAULT_STEP_DEADLINES,
  nextEscalationOn,
  PERSUASION_STEPS,
  type PersuasionStepKey,
  type StepDeadlines,
  stageBounds,
} from '../domain/dropout/case-ladder.js';
import { ROSTER_KIND_LABELS } from '../domain/dropout/roster-rows.js';
import { maskName, maskPhone, maskRegistryNumber } from '../domain/privacy/mask.js';
import { addDays, DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { type CipherSource, cipherLoader } from '../privacy/field-cipher.js';
import type {
  Case,
  CaseListItem,
  CaseStep,
  CreateCaseInput,
  CreateStepInput,
  ListCasesQuery,
  RegistryUpdatedInput,
  ReturnInput,
  SpecialGroup,
} from '../schemas/cases.js';
import { authorize } from './access.js';
import { childListingScope, ownerContext, schoolTownshipProblems } from './unit-tree.js';

export interface CaseService {
  /** A school records a child's first unexcused absence; answers the case as lists show it. */
  create(principal: Principal, input: CreateCaseInput, now: Date): Promise<CaseListItem>;
  /** Cases the caller may see, masked, each at the stage computed today. */
  list(
    principal: Principal,
    query: Omit<ListCasesQuery, 'limit' | 'cursor'>,
    page: PageRequest,
    now: Date,
  ): Promise<Page<CaseListItem>>;
  /** The whole case, unmasked; every such view is written to the audit trail first. */
  view(principal: Principal, caseId: string, now: Date): Promise<Case>;
  /** A persuasion step (劝返复学) done, by whoever the step belongs to. */
  addStep(principal: Principal, caseId: string, input: CreateStepInput, now: Date): Promise<CaseStep>;
  /** 复学: the child is back in class; the ladder closes. */
  recordReturn(principal: Principal, caseId: string, input: ReturnInput, now: Date): Promise<CaseListItem>;
  /** The school confirms it updated the national student registry (学籍系统) after the return. */
  confirmRegistry(
    principal: Principal,
    caseId: string,
    input: RegistryUpdatedInput,
    now: Date,
  ): Promise<CaseListItem>;
  /** Which of a school's roster rows have a case not yet returned (K10): entry id → case id. */
  openCasesOfRoster(
    principal: Principal,
    schoolUnitId: string,
    semesterId: string,
    entryIds: readonly string[],
  ): Promise<Map<string, string>>;
  /**
   * The 包保 people to start a school's next case form with, as its cases remembered them (K9, one
   * GetItem): the leader of its last case, and the teacher of its last case in the same class,
   * whatever became of those cases. Staff only, nothing of a child.
   */
  chainHint(
    principal: Principal,
    schoolUnitId: string,
    klass: { grade: string; className: string } | undefined,
  ): Promise<{ teacher: CasePerson | null; leader: CasePerson | null }>;
}

type CasePerson = CaseRecord['teacher'];

/** Who does each persuasion step: the school, the bureau (office) or the township above the school. */
export const STEP_ACTION: Record<PersuasionStepKey, Action> = {
  contact: 'case.act.school',
  notice: 'case.act.school',
  'report-bureau': 'case.act.school',
  'notify-township': 'case.act.bureau',
  arrange: 'case.act.township',
};

const GROUP_FLAG: Record<SpecialGroup, keyof CaseRecord['groups']> = {
  'registered-poor': 'registeredPoor',
  monitored: 'monitored',
  disabled: 'disabled',
  'home-teaching': 'homeTeaching',
};

/** What a case's standing is computed with: the calendar in force and the step deadlines. */
interface Ladder {
  cal: WorkingCalendar;
  deadlines: StepDeadlines;
}

const stepLabel = (key: PersuasionStepKey) => PERSUASION_STEPS.find((s) => s.key === key)?.label ?? key;

/** What a view shows for an identifying field erased at the end of retention. */
export const ERASED = '(已按保存期限删除)';

/** The associated data that binds a ciphertext to its case and field. */
const fieldOf = (caseId: string, field: string) => `case:${caseId}:${field}`;

export function caseService(deps: {
  cases: CaseRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
  /** The school's roster rows a case may come from (RS1); without it a roster reference is refused. */
  rosters?: Pick<RosterRepository, 'entriesOf'>;
  /**
   * The key of children's data, or how to load it at the first case that needs it (in AWS a KMS
   * unwrap: no duty request pays for it); without one cases cannot be written or shown whole (503).
   */
  cipher: CipherSource;
  deadlines?: StepDeadlines;
  timeZone?: string;
}): CaseService {
  const { cases, units, calendars } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  // Loaded once per process; a failed load is tried again by the next case request.
  const cipher = cipherLoader(deps.cipher, '个人信息加密密钥未配置,暂不能办理控辍保学事项');
  /** The calendar in force and the office's step deadlines (K6), read once per request. */
  const ladder = async (): Promise<Ladder> => {
    const [overrides, settings] = await Promise.all([
      calendars.list(),
      deps.deadlines === undefined ? cases.settings() : null,
    ]);
    return {
      cal: createWorkingCalendar(overrides),
      deadlines: deps.deadlines ?? settings?.stepDeadlines ?? DEFAULT_STEP_DEADLINES,
    };
  };

  function standingOf(r: CaseRecord, today: string, { cal, deadlines }: Ladder) {
    const s: CaseStanding = caseStanding(
      { firstDayAbsent: r.firstDayAbsent, returnedOn: r.returnedOn, stepsDone: r.stepsDone },
      today,
      cal,
      deadlines,
    );
    return {
      stage: s.stage,
      stageLabel: CASE_STAGE_LABELS[s.stage],
      suspectedOn: s.suspectedOn,
      dropoutOn: s.dropoutOn,
      next: s.next === null ? null : { ...s.next, label: stepLabel(s.next.step) },
    };
  }

  function listItem(r: CaseRecord, today: string, at: Ladder): CaseListItem {
    return {
      id: r.id,
      childNameMasked: r.masked.childName,
      guardianPhoneMasked: r.masked.guardianPhone,
      registryNumberMasked: r.masked.registryNumber,
      gender: r.gender,
      grade: r.grade,
      className: r.className,
      schoolUnitId: r.schoolUnitId,
      townshipUnitId: r.townshipUnitId,
      groups: r.groups,
      firstDayAbsent: r.firstDayAbsent,
      returnedOn: r.returnedOn,
      registryUpdatedOn: r.registryUpdatedOn,
      ...standingOf(r, today, at),
    };
  }

  async function mustCase(caseId: string): Promise<CaseRecord> {
    const found = await cases.get(caseId);
    if (found === undefined) throw new NotFoundError('案例', caseId);
    return found;
  }

  async function authorizeOn(principal: Principal, action: Action, r: { schoolUnitId: string }) {
    authorize(principal, action, await ownerContext(units, principal, r.schoolUnitId));
  }

  /**
   * K5's day of a case as it is written: its earliest escalation, even one already past, so the
   * next sweep reads every change once (what it owes is written once by fixed ids) and moves it on.
   */
  async function escalationDayOf(r: CaseRecord): Promise<string | null> {
    const dates = { firstDayAbsent: r.firstDayAbsent, returnedOn: r.returnedOn, stepsDone: r.stepsDone };
    const { cal, deadlines } = await ladder();
    return nextEscalationOn(dates, null, cal, deadlines);
  }

  /** Writes `next` over `current`, or 409 when someone changed the case meanwhile. */
  async function save(
    principal: Principal,
    current: CaseRecord,
    next: CaseRecord,
    action: string,
    after: Record<string, unknown>,
    now: Date,
    step?: CaseStepRecord,
    closesRosterRow?: boolean,
  ) {
    const stored = await cases.update(
      { ...next, nextEscalationOn: await escalationDayOf(next) },
      current.version,
      auditEvent(principal, action, { type: 'case', id: current.id }, { before: null, after }, now),
      step,
      closesRosterRow,
    );
    if (!stored) throw new ConflictError('version_conflict', '该案例刚被他人修改,请刷新后重试');
  }

  /** The roster row a new case names, checked against the school's rosters (RS1, one Query). */
  async function rosterRowOf(
    input: CreateCaseInput,
    problems: { field: string; message: string }[],
  ): Promise<NonNullable<CaseRecord['rosterRow']> | null> {
    const ref = input.rosterEntry;
    if (ref === undefined) return null;
    const rows =
      deps.rosters === undefined ? [] : await deps.rosters.entriesOf(ref.semesterId, input.schoolUnitId);
    const found = rows.find((e) => e.id === ref.entryId);
    if (found === undefined) {
      problems.push({ field: 'rosterEntry.entryId', message: '本校该学期的花名册中没有这一行' });
      return null;
    }
    return { semesterId: ref.semesterId, entryId: ref.entryId, kind: found.kind };
  }

  /** 409 when the roster child already has a case not yet closed by a return (K10). */
  async function refuseSecondOpenCase(row: NonNullable<CaseRecord['rosterRow']>, childName: string) {
    const open = await cases.openCaseOfRoster(row.semesterId, row.entryId);
    if (open !== undefined) {
      throw new ConflictError(
        'roster_child_has_open_case',
        `${maskName(childName)} 已有未复学的缺课案例(${open}),不能重复登记`,
      );
    }
  }

  return {
    async openCasesOfRoster(principal, schoolUnitId, semesterId, entryIds) {
      authorize(principal, 'case.create', { ownerUnitId: schoolUnitId });
      return cases.openCasesOfRoster(semesterId, entryIds);
    },

    async chainHint(principal, schoolUnitId, klass) {
      authorize(principal, 'case.create', { ownerUnitId: schoolUnitId });
      return cases.chainOf(schoolUnitId, klass);
    },

    async create(principal, input, now) {
      await authorizeOn(principal, 'case.create', input);
      const today = localDateOf(now, timeZone);
      const problems = await schoolTownshipProblems(units, input);
      if (input.firstDayAbsent > today) {
        problems.push({ field: 'firstDayAbsent', message: '缺课日期不能晚于今天' });
      }
      const rosterRow = await rosterRowOf(input, problems);
      if (problems.length > 0) throw new ValidationError('案例信息有误', problems);
      if (rosterRow !== null) await refuseSecondOpenCase(rosterRow, input.childName);

      const id = newId('case', now);
      const sealer = await cipher();
      const seal = (field: string, value: string) => sealer.encrypt(value, fieldOf(id, field));
      const sealOrNull = (field: string, value: string | undefined) =>
        value === undefined ? null : seal(field, value);
      const record: CaseRecord = {
        id,
        schoolUnitId: input.schoolUnitId,
        townshipUnitId: input.townshipUnitId,
        gender: input.gender ?? null,
        age: input.age ?? null,
        grade: input.grade,
        className: input.className,
        groups: input.groups,
        teacher: input.teacher,
        leader: input.leader,
        firstDayAbsent: input.firstDayAbsent,
        rosterRow,
        returnedOn: null,
        returnEvidence: null,
        registryUpdatedOn: null,
        stepsDone: {},
        sealed: {
          childName: seal('childName', input.childName),
          guardianName: seal('guardianName', input.guardian.name),
          guardianPhone: seal('guardianPhone', input.guardian.phone),
          birthYearMonth: sealOrNull('birthYearMonth', input.birthYearMonth),
          registryNumber: sealOrNull('registryNumber', input.registryNumber),
          village: sealOrNull('village', input.village),
        },
        masked: {
          childName: maskName(input.childName),
          guardianPhone: maskPhone(input.guardian.phone),
          registryNumber:
            input.registryNumber === undefined ? null : maskRegistryNumber(input.registryNumber),
        },
        createdAt: now.toISOString(),
        createdBy: principal.sub,
        version: 1,
      };
      record.nextEscalationOn = await escalationDayOf(record);
      // The trail says what happened and where, never whom: no identifying field, sealed or not.
      const stored = await cases.create(
        record,
        auditEvent(
          principal,
          'case.create',
          { type: 'case', id },
          {
            before: null,
            after: {
              schoolUnitId: record.schoolUnitId,
              townshipUnitId: record.townshipUnitId,
              grade: record.grade,
              className: record.className,
              groups: record.groups,
              firstDayAbsent: record.firstDayAbsent,
              rosterRow: record.rosterRow,
            },
          },
          now,
        ),
      );
      if (!stored && rosterRow !== null) await refuseSecondOpenCase(rosterRow, input.childName);
      if (!stored) throw new ConflictError('duplicate_id', '案例编号冲突,请重试');
      return listItem(record, today, await ladder());
    },

    async list(principal, query, page, now) {
      const scope = await scopeOf(principal, query);
      const today = localDateOf(now, timeZone);
      const at = await ladder();
      const range = rangeOf(query.stage, today, at.cal);
      if (range === 'empty') return { items: [], nextCursor: null };
      const found = await cases.list(
        scope.scope,
        range,
        {
          townshipUnitId: scope.townshipFilter,
          group: query.group === undefined ? undefined : GROUP_FLAG[query.group],
        },
        page,
      );
      return { items: found.items.map((r) => listItem(r, today, at)), nextCursor: found.nextCursor };
    },

    async view(principal, caseId, now) {
      const r = await mustCase(caseId);
      await authorizeOn(principal, 'case.read', r);
      const sealed = r.sealed;
      // Erased at the end of retention: the case's facts stay, whom it was about does not.
      const opener = sealed === null ? null : await cipher();
      const open = (field: string, value: string) =>
        opener === null || value === '' ? ERASED : opener.decrypt(value, fieldOf(r.id, field));
      const openOrNull = (field: string, value: string | null) =>
        value === null ? null : open(field, value);
      const steps = await cases.steps(r.id);
      const whole: Case = {
        id: r.id,
        childName: sealed === null ? ERASED : open('childName', sealed.childName),
        gender: r.gender,
        birthYearMonth: sealed === null ? null : openOrNull('birthYearMonth', sealed.birthYearMonth),
        age: r.age,
        grade: r.grade,
        className: r.className,
        schoolUnitId: r.schoolUnitId,
        townshipUnitId: r.townshipUnitId,
        village: sealed === null ? null : openOrNull('village', sealed.village),
        registryNumber: sealed === null ? null : openOrNull('registryNumber', sealed.registryNumber),
        guardian: {
          name: sealed === null ? ERASED : open('guardianName', sealed.guardianName),
          phone: sealed === null ? ERASED : open('guardianPhone', sealed.guardianPhone),
        },
        groups: r.groups,
        teacher: r.teacher,
        leader: r.leader,
        firstDayAbsent: r.firstDayAbsent,
        rosterRow:
          r.rosterRow == null ? null : { ...r.rosterRow, kindLabel: ROSTER_KIND_LABELS[r.rosterRow.kind] },
        returnedOn: r.returnedOn,
        returnEvidence: r.returnEvidence,
        registryUpdatedOn: r.registryUpdatedOn,
        steps: steps.map((s) => stepView(s, open(`step:${s.id}:result`, s.sealedResult))),
        createdAt: r.createdAt,
        createdBy: r.createdBy,
        version: r.version,
        ...standingOf(r, localDateOf(now, timeZone), await ladder()),
      };
      // Who saw whom, and when: written before anything is shown, so no view goes unrecorded.
      await cases.recordView(
        auditEvent(
          principal,
          'case.view',
          { type: 'case', id: r.id },
          { before: null, after: { schoolUnitId: r.schoolUnitId } },
          now,
        ),
      );
      return whole;
    },

    async addStep(principal, caseId, input, now) {
      const r = await mustCase(caseId);
      await authorizeOn(principal, STEP_ACTION[input.kind], r);
      if (r.returnedOn !== null) throw new ConflictError('case_closed', '该学生已复学,劝返已结束');
      const today = localDateOf(now, timeZone);
      if (input.date > today || input.date < r.firstDayAbsent) {
        throw new ValidationError('办理日期有误', [
          { field: 'date', message: `办理日期应在缺课首日(${r.firstDayAbsent})与今天之间` },
        ]);
      }
      const id = newId('step', now);
      const step: CaseStepRecord = {
        id,
        caseId: r.id,
        kind: input.kind,
        date: input.date,
        by: input.by,
        method: input.method,
        sealedResult: (await cipher()).encrypt(input.result, fieldOf(r.id, `step:${id}:result`)),
        evidence: input.evidence,
        recordedAt: now.toISOString(),
        recordedBy: principal.sub,
      };
      const done = r.stepsDone[input.kind];
      const next: CaseRecord = {
        ...r,
        // A step counts from the first time it was done (a second contact does not restart the clock).
        stepsDone: {
          ...r.stepsDone,
          [input.kind]: done === undefined || input.date < done ? input.date : done,
        },
        version: r.version + 1,
      };
      await save(
        principal,
        r,
        next,
        'case.step',
        { stepId: id, kind: input.kind, date: input.date, method: input.method },
        now,
        step,
      );
      return stepView(step, input.result);
    },

    async recordReturn(principal, caseId, input, now) {
      const r = await mustCase(caseId);
      await authorizeOn(principal, 'case.act.school', r);
      if (r.returnedOn !== null) throw new ConflictError('case_closed', '该学生已登记复学');
      const today = localDateOf(now, timeZone);
      if (input.returnedOn > today || input.returnedOn < r.firstDayAbsent) {
        throw new ValidationError('复学日期有误', [
          { field: 'returnedOn', message: `复学日期应在缺课首日(${r.firstDayAbsent})与今天之间` },
        ]);
      }
      const next: CaseRecord = {
        ...r,
        returnedOn: input.returnedOn,
        returnEvidence: input.evidence,
        version: r.version + 1,
      };
      await save(principal, r, next, 'case.return', { returnedOn: input.returnedOn }, now, undefined, true);
      return listItem(next, today, await ladder());
    },

    async confirmRegistry(principal, caseId, input, now) {
      const r = await mustCase(caseId);
      await authorizeOn(principal, 'case.act.school', r);
      if (r.returnedOn === null) throw new ConflictError('not_returned', '学生尚未复学,不能确认学籍更新');
      if (r.registryUpdatedOn !== null) throw new ConflictError('already_confirmed', '已确认学籍系统更新');
      const today = localDateOf(now, timeZone);
      if (input.updatedOn > today || input.updatedOn < r.returnedOn) {
        throw new ValidationError('学籍更新日期有误', [
          { field: 'updatedOn', message: `学籍更新日期应在复学日期(${r.returnedOn})与今天之间` },
        ]);
      }
      const next: CaseRecord = { ...r, registryUpdatedOn: input.updatedOn, version: r.version + 1 };
      await save(principal, r, next, 'case.registry-updated', { registryUpdatedOn: input.updatedOn }, now);
      return listItem(next, today, await ladder());
    },
  };

  /** Which listing a caller reads (see childListingScope); a filter outside its part is a 403. */
  function scopeOf(
    principal: Principal,
    query: { township?: string | undefined; school?: string | undefined },
  ): Promise<{ scope: CaseScope; townshipFilter?: string | undefined }> {
    return childListingScope(units, principal, query, (ownerUnitId) =>
      authorize(principal, 'case.read', { ownerUnitId }),
    );
  }
}

/** A stage as a part of the listing's order (see keys.ts K2), or 'empty' when no day can be in it (the ledger page too). */
export function rangeOf(
  stage: ListCasesQuery['stage'],
  today: string,
  cal: WorkingCalendar,
): CaseRange | 'empty' {
  if (stage === undefined) return null;
  if (stage === 'returned') return { prefix: CLOSED_CASE_PREFIX };
  const { suspectedIfAbsentBy, dropoutIfAbsentBy } = stageBounds(today, cal);
  const between = (lo: string, hi: string): CaseRange | 'empty' =>
    lo > hi ? 'empty' : { between: [lo, hi] };
  // '#~' sorts after every `<date>#<id>` of that date: the range ends with the day's last case.
  if (stage === 'absent')
    return between(`${OPEN_CASE_PREFIX}${addDays(suspectedIfAbsentBy, 1)}`, `${OPEN_CASE_PREFIX}~`);
  if (stage === 'suspected') {
    return between(
      `${OPEN_CASE_PREFIX}${addDays(dropoutIfAbsentBy, 1)}`,
      `${OPEN_CASE_PREFIX}${suspectedIfAbsentBy}#~`,
    );
  }
  return between(OPEN_CASE_PREFIX, `${OPEN_CASE_PREFIX}${dropoutIfAbsentBy}#~`);
}

function stepView(s: CaseStepRecord, result: string): CaseStep {
  return {
    id: s.id,
    caseId: s.caseId,
    kind: s.kind,
    label: stepLabel(s.kind),
    date: s.date,
    by: s.by,
    method: s.method,
    result,
    evidence: s.evidence,
    recordedAt: s.recordedAt,
    recordedBy: s.recordedBy,
  };
}
