import { auditRepository } from '../db/audit-repository.js';
import { calendarRepository } from '../db/calendar-repository.js';
import { caseRepository } from '../db/case-repository.js';
import { channelRepository } from '../db/channel-repository.js';
import type { TableRef } from '../db/client.js';
import { counterRepository } from '../db/counter-repository.js';
import { deliveryRepository } from '../db/delivery-repository.js';
import { dutyRepository } from '../db/duty-repository.js';
import { extensionRepository } from '../db/extension-repository.js';
import { importRepository } from '../db/import-repository.js';
import { indicatorRepository } from '../db/indicator-repository.js';
import { noticeRepository } from '../db/notice-repository.js';
import { planRepository } from '../db/plan-repository.js';
import { reportRepository } from '../db/report-repository.js';
import { sweepClaimRepository } from '../db/sweep-claim-repository.js';
import { unitRepository } from '../db/unit-repository.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import { memorySecretStore, type SecretStore } from '../notify/secret-store.js';
import { httpPoster, type Poster } from '../notify/senders.js';
import type { FieldCipher } from '../privacy/field-cipher.js';
import { type AuditService, auditService } from './audit-service.js';
import { type CalendarService, calendarService } from './calendar-service.js';
import { type HomeTeachingService, homeTeachingService } from './case-home-teaching.js';
import { type CaseLedgerService, caseLedgerService } from './case-ledger.js';
import { type CaseService, caseService } from './case-service.js';
import { type CaseSettingsService, caseSettingsService } from './case-settings.js';
import { caseSweeper } from './case-sweep.js';
import { type WeeklyFormService, weeklyFormService } from './case-weekly-form.js';
import { type ChannelService, channelService } from './channel-service.js';
import { type CounterService, counterService } from './counter-service.js';
import { type DeliveryService, deliveryService } from './delivery-service.js';
import { type DutyService, dutyService } from './duty-service.js';
import { type EvidenceService, evidenceService } from './evidence-service.js';
import { type ExtensionService, extensionService } from './extension-service.js';
import { type IdempotencyService, idempotencyService } from './idempotency-service.js';
import { type ImportService, importService } from './import-service.js';
import { type IndicatorService, indicatorService } from './indicator-service.js';
import { type NoticeService, noticeService } from './notice-service.js';
import { type PlanService, planService } from './plan-service.js';
import { type ProgressService, progressService } from './progress-service.js';
import { recurrenceService } from './recurrence-service.js';
import { type ReminderService, reminderService } from './reminder-service.js';
import { type ReportService, reportService } from './report-service.js';
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
  /** 控辍保学周报表: each school's weekly duty, filed with the form generated from its cases. */
  caseWeeklyForms: WeeklyFormService;
  /** 疑似失学辍学人员台账: open cases by township and school, with lights; its export. */
  caseLedger: CaseLedgerService;
  /** The office's 控辍保学 step deadlines and retention period. */
  caseSettings: CaseSettingsService;
  /** 送教上门: a weekly duty per disabled child taught at home. */
  caseHomeTeaching: HomeTeachingService;
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
  const channels = channelRepository(table);
  const deliveries = deliveryRepository(table);
  const secrets = options.secrets ?? memorySecretStore();
  const post = options.post ?? httpPoster();
  const indicatorSvc = indicatorService({
    indicators: indicatorRepository(table),
    plans,
    units,
    supervision,
    table,
  });
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
      cases: caseSweeper({ cases: caseRepository(table), table }),
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
      extensions: extensionRepository(table, duties),
      duties,
      plans,
      units,
      calendars,
    }),
    idempotency: idempotencyService(table, options.wallClock ? { clock: options.wallClock } : {}),
    cases: caseService({ cases: caseRepository(table), units, calendars, cipher: options.fieldCipher }),
    imports: importService({ plans, units, imports: importRepository(table), planService: planSvc }),
    indicators: indicatorSvc,
    progress: progressService({ duties, units }),
    reminders: reminderService({ duties, plans, units, calendars, notices }),
    channels: channelService({ channels, deliveries, notices, units, secrets, post }),
    deliveries: deliveryService(
      { channels, deliveries, units, secrets, post },
      {
        siteUrl: options.siteUrl ?? 'http://127.0.0.1:3000',
        ...(options.deliveryLog ? { log: options.deliveryLog } : {}),
      },
    ),
    caseWeeklyForms: weeklyFormService({
      cases: caseRecords,
      calendars,
      duties: dutySvc,
      plans: planSvc,
      units,
    }),
    caseLedger: caseLedgerService({ cases: caseRecords, units, calendars }),
    caseSettings: caseSettingsService(caseRecords),
    caseHomeTeaching: homeTeachingService({ cases: caseRecords, plans: planSvc }),
  };
}

/**
 * The evidence service on the same table, with the deployment's file store (S3 in AWS, a folder
 * locally). Apart from createServices so that the jobs, which never take uploads, need no store.
 */
export function createEvidenceService(table: TableRef, store: EvidenceStore): EvidenceService {
  return evidenceService({ duties: dutyRepository(table), units: unitRepository(table), store });
}
