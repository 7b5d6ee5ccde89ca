import { auditRepository } from '../db/audit-repository.js';
import { calendarRepository } from '../db/calendar-repository.js';
import { careFileRepository } from '../db/care-file-repository.js';
import { caseLedgerReportRepository } from '../db/case-ledger-report-repository.js';
import { caseRepository } from '../db/case-repository.js';
import { channelRepository } from '../db/channel-repository.js';
import type { TableRef } from '../db/client.js';
import { counterRepository } from '../db/counter-repository.js';
import { deliveryRepository } from '../db/delivery-repository.js';
import { digestRepository } from '../db/digest-repository.js';
import { dutyRepository } from '../db/duty-repository.js';
import { extensionRepository } from '../db/extension-repository.js';
import { importRepository } from '../db/import-repository.js';
import { indicatorRepository } from '../db/indicator-repository.js';
import { instructionRepository } from '../db/instruction-repository.js';
import { noticeRepository } from '../db/notice-repository.js';
import { planRepository } from '../db/plan-repository.js';
import { reportRepository } from '../db/report-repository.js';
import { rosterRepository } from '../db/roster-repository.js';
import { sweepClaimRepository } from '../db/sweep-claim-repository.js';
import { unitRepository } from '../db/unit-repository.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import { memorySecretStore, type SecretStore } from '../notify/secret-store.js';
import { httpPoster, type Poster } from '../notify/senders.js';
import type { FieldCipher } from '../privacy/field-cipher.js';
import { type AuditService, auditService } from './audit-service.js';
import { type BadgeService, badgeService } from './badge-service.js';
import { type BelowService, belowService } from './below-service.js';
import { type CalendarService, calendarService } from './calendar-service.js';
import { type CareFileService, careFileService } from './care-file-service.js';
import { type PairService, pairService } from './care-pairs.js';
import { type HomeTeachingService, homeTeachingService } from './case-home-teaching.js';
import { type CaseLedgerService, caseLedgerService } from './case-ledger.js';
import { type CaseLedgerReportService, caseLedgerReportService } from './case-ledger-reports.js';
import { type CaseService, caseService } from './case-service.js';
import { type CaseSettingsService, caseSettingsService } from './case-settings.js';
import { caseSweeper } from './case-sweep.js';
import { type WeeklyFormService, weeklyFormService } from './case-weekly-form.js';
import { type ChannelService, channelService } from './channel-service.js';
import { type CounterService, counterService } from './counter-service.js';
import { type DeliveryService, deliveryService } from './delivery-service.js';
import { type DigestService, digestService } from './digest-service.js';
import { type DutyService, dutyService } from './duty-service.js';
import { type EvidenceService, evidenceService } from './evidence-service.js';
import { type ExtensionService, extensionService } from './extension-service.js';
import { type HandoffService, handoffService } from './handoff-service.js';
import { type IdempotencyService, idempotencyService } from './idempotency-service.js';
import { type ImportService, importService } from './import-service.js';
import { indicatorDuties } from './indicator-duties.js';
import { type IndicatorService, indicatorService } from './indicator-service.js';
import { type InstructionService, instructionService } from './instruction-service.js';
import { type NoticeService, noticeService } from './notice-service.js';
import { pairDutyLinks } from './pair-duties.js';
import { type PlanService, planService } from './plan-service.js';
import { type ProgressService, progressService } from './progress-service.js';
import { recurrenceService } from './recurrence-service.js';
import { type ReminderService, reminderService } from './reminder-service.js';
import { type ReportService, reportService } from './report-service.js';
import { type RosterService, rosterService } from './roster-service.js';
import { type SemesterService, semesterService } from './semester-service.js';
import { type SupervisionService, supervisionService } from './supervision-service.js';
import { type SweepService, sweepService } from './sweep-service.js';
import { type UnitService, unitService } from './unit-service.js';

export interface Services {
  units: UnitService;
  plans: PlanService;
  duties: DutyService;
  notices: NoticeService;
  sweeps: SweepService;
  calendar: CalendarService;
  reports: ReportService;
  audit: AuditService;
  extensions: ExtensionService;
  supervision: SupervisionService;
  /** The plans' counters: parked creations applied, and the office's recount. */
  counters: CounterService;
  /** Idempotency keys of creates (the API's header, the pages' per-form key). */
  idempotency: IdempotencyService;
  /** 控辍保学: dropout cases, one per child, with their persuasion steps. */
  cases: CaseService;
  /** An office's task table (.xlsx, .csv) read, checked and turned into tasks. */
  imports: ImportService;
  /** Indicator targets, figures, the roll-up table and 三一致. */
  indicators: IndicatorService;
  /** Units' progress reports on open duties (序时进度). */
  progress: ProgressService;
  /** 催办 by hand. */
  reminders: ReminderService;
  /** Where notices are pushed (robots, webhooks): the office's channels and quiet hours. */
  channels: ChannelService;
  /** The delivery loop over the outbox (run by its own schedule, never by a request). */
  deliveries: DeliveryService;
  /** The morning digest (早间提醒) per unit with a channel, on working days at 08:30 (its own schedule). */
  digests: DigestService;
  /** 学期: each sets every school's 报送三类花名册 duty. */
  semesters: SemesterService;
  /** 三类花名册 and the county ledger of suspected out-of-school children. */
  rosters: RosterService;
  /** 控辍保学周报表: each school's weekly duty, filed with the form generated from its cases. */
  caseWeeklyForms: WeeklyFormService;
  /** 领导批示 on tasks and duties, each written once and pushed as a notice. */
  instructions: InstructionService;
  /** 转办: a unit passes its open duty down to units below it. */
  handoffs: HandoffService;
  /** 疑似失学辍学人员台账: open cases by township and school, with lights; its export. */
  caseLedger: CaseLedgerService;
  /** The office's 控辍保学 step deadlines and retention period. */
  caseSettings: CaseSettingsService;
  /** The menu's counts (待审核, 延期待批, 未签收) from counters and a sparse index. */
  badges: BadgeService;
  /** 送教上门: a weekly duty per disabled child taught at home. */
  caseHomeTeaching: HomeTeachingService;
  /** 留守儿童关爱档案 (一人一案) with their support records. */
  careFiles: CareFileService;
  /** 师生结对帮扶: a weekly support record and a monthly home visit per teacher–child pair. */
  carePairs: PairService;
  /** 台账快照: the county ledger frozen at a cut-off date, once per date; its CSV and Excel. */
  caseLedgerReports: CaseLedgerReportService;
  /** 下级任务: a unit's view of the duties of the units below it. */
  below: BelowService;
}

/** Wires repositories on one table into the services; the only place they meet. */
export function createServices(
  table: TableRef,
  options: {
    onSweepItemError?: (err: unknown, itemId: string) => void;
    /** The evidence file store, so submissions can be checked against it (the API needs it; jobs do not). */
    evidenceFiles?: Pick<EvidenceStore, 'describe'>;
    /** The wall clock idempotency records expire by (tests move it). @default () => new Date() */
    wallClock?: () => Date;
    /** The cipher of children's identifying fields (a key file locally, a KMS data key in AWS). */
    fieldCipher?: FieldCipher | (() => Promise<FieldCipher>);
    /** Channel credentials: Secrets Manager in AWS, the data folder locally. @default in memory */
    secrets?: SecretStore;
    /** How posts reach a channel. @default HTTP through global fetch */
    post?: Poster;
    /** The site the duty pages are on, for the links in pushed messages. */
    siteUrl?: string | (() => string);
    /** Where the delivery loop reports failures (never a URL, key or secret). */
    deliveryLog?: (entry: Record<string, unknown>) => void;
  } = {},
): Services {
  const units = unitRepository(table);
  const plans = planRepository(table);
  const duties = dutyRepository(table);
  const notices = noticeRepository(table);
  const calendars = calendarRepository(table);
  const recurrences = recurrenceService(plans);
  const counters = counterRepository(table);
  const planSvc = planService({ plans, units, duties, counters, calendars, recurrences });
  const counterSvc = counterService({ counters, duties, plans });
  const supervision = supervisionService({
    plans,
    duties,
    planService: planSvc,
    counters: counterSvc,
    tableName: table.tableName,
  });
  const dutySvc = dutyService({ duties, plans, units, calendars, evidenceFiles: options.evidenceFiles });
  const caseRecords = caseRepository(table);
  const careFiles = careFileRepository(table);
  const extensionRepo = extensionRepository(table, duties);
  const channels = channelRepository(table);
  const deliveries = deliveryRepository(table);
  const secrets = options.secrets ?? memorySecretStore();
  const post = options.post ?? httpPoster();
  const indicatorRepo = indicatorRepository(table);
  const indicatorSvc = indicatorService({
    indicators: indicatorRepo,
    plans,
    units,
    supervision,
    table,
    reportDuties: indicatorDuties({ plans, duties, calendars, indicators: indicatorRepo }),
  });
  const rosters = rosterRepository(table);
  const caseLedger = caseLedgerService({ cases: caseRecords, units, calendars, semesters: rosters });
  return {
    units: unitService(units),
    plans: planSvc,
    counters: counterSvc,
    duties: dutySvc,
    notices: noticeService(notices, units),
    sweeps: sweepService({
      plans,
      duties,
      notices,
      claims: sweepClaimRepository(table),
      units,
      calendars,
      recurrences,
      counters: counterSvc,
      cases: caseSweeper({ cases: caseRecords, table }),
      ...(options.onSweepItemError ? { onItemError: options.onSweepItemError } : {}),
    }),
    calendar: calendarService(calendars),
    reports: reportService({
      reports: reportRepository(table),
      plans,
      units,
      calendars,
      counters,
      indicators: indicatorSvc,
    }),
    audit: auditService({ audit: auditRepository(table), duties, units }),
    supervision,
    extensions: extensionService({
      extensions: extensionRepo,
      duties,
      plans,
      units,
      calendars,
    }),
    idempotency: idempotencyService(table, options.wallClock ? { clock: options.wallClock } : {}),
    cases: caseService({
      cases: caseRecords,
      units,
      calendars,
      rosters,
      cipher: options.fieldCipher,
    }),
    imports: importService({ plans, units, imports: importRepository(table), planService: planSvc }),
    indicators: indicatorSvc,
    progress: progressService({ duties, units, plans, calendars }),
    reminders: reminderService({ duties, plans, units, calendars, notices }),
    channels: channelService({ channels, deliveries, notices, units, secrets, post }),
    deliveries: deliveryService(
      { channels, deliveries, units, secrets, post },
      {
        siteUrl: options.siteUrl ?? 'http://127.0.0.1:3000',
        ...(options.deliveryLog ? { log: options.deliveryLog } : {}),
      },
    ),
    digests: digestService(
      { channels, deliveries, digests: digestRepository(table), duties, units, calendars, secrets, post },
      {
        siteUrl: options.siteUrl ?? 'http://127.0.0.1:3000',
        ...(options.deliveryLog ? { log: options.deliveryLog } : {}),
      },
    ),
    semesters: semesterService({ rosters, plans, units, planService: planSvc }),
    rosters: rosterService({ rosters, units, duties, dutyService: dutySvc, cipher: options.fieldCipher }),
    caseWeeklyForms: weeklyFormService({
      cases: caseRecords,
      calendars,
      duties: dutySvc,
      plans: planSvc,
      units,
    }),
    instructions: instructionService({
      instructions: instructionRepository(table),
      duties,
      plans,
      units,
      calendars,
      notices,
    }),
    handoffs: handoffService({ duties, plans, units, calendars }),
    caseLedger,
    caseSettings: caseSettingsService(caseRecords),
    badges: badgeService({ counters, extensions: extensionRepo }),
    caseHomeTeaching: homeTeachingService({ cases: caseRecords, plans: planSvc }),
    careFiles: careFileService({
      careFiles,
      units,
      cipher: options.fieldCipher,
      pairDuties: pairDutyLinks({ duties, dutyService: dutySvc }),
    }),
    carePairs: pairService({ careFiles, cases: caseRecords, plans: planSvc }),
    caseLedgerReports: caseLedgerReportService({
      reports: caseLedgerReportRepository(table),
      ledger: caseLedger,
      recordView: (event) => caseRecords.recordView(event),
    }),
    below: belowService({ units, plans, duties, counters, calendars }),
  };
}

/**
 * The evidence service on the same table, with the deployment's file store (S3 in AWS, a folder
 * locally). Apart from createServices so that the jobs, which never take uploads, need no store.
 */
export function createEvidenceService(table: TableRef, store: EvidenceStore): EvidenceService {
  return evidenceService({
    duties: dutyRepository(table),
    units: unitRepository(table),
    store,
    cases: caseRepository(table),
  });
}
