/**
 * The office's 控辍保学 settings (K6): each persuasion step's deadline in working days (the
 * defaults are data in case-ladder.ts) and how long a closed case's identifying fields are kept.
 * The ladder, the sweep and the ledger read them as they stand; every change is audited.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CaseRepository, CaseSettings } from '../db/case-repository.js';
import { DEFAULT_STEP_DEADLINES, PERSUASION_STEPS } from '../domain/dropout/case-ladder.js';
import { ConflictError } from '../errors.js';
import type { CaseSettingsView, PutCaseSettingsInput } from '../schemas/case-reports.js';
import { authorize } from './access.js';

export interface CaseSettingsService {
  get(principal: Principal): Promise<CaseSettingsView>;
  /** Replaces the settings if still at `expectedVersion` (409 otherwise), with an audit event. */
  put(principal: Principal, input: PutCaseSettingsInput, now: Date): Promise<CaseSettingsView>;
}

const view = (s: CaseSettings): CaseSettingsView => ({
  ...s,
  steps: PERSUASION_STEPS.map((p) => ({
    key: p.key,
    label: p.label,
    defaultWorkingDays: DEFAULT_STEP_DEADLINES[p.key],
  })),
});

export function caseSettingsService(cases: CaseRepository): CaseSettingsService {
  return {
    async get(principal) {
      // Deadlines are what every school is held to: anyone who works cases may read them.
      authorize(principal, 'calendar.read');
      return view(await cases.settings());
    },

    async put(principal, input, now) {
      authorize(principal, 'case.settings');
      const current = await cases.settings();
      if (current.version !== input.expectedVersion) {
        throw new ConflictError('version_conflict', '控辍保学设置刚被他人修改,请刷新后重试');
      }
      const next: CaseSettings = {
        stepDeadlines: input.stepDeadlines,
        retentionSchoolYears: input.retentionSchoolYears,
        version: current.version + 1,
        updatedAt: now.toISOString(),
        updatedBy: principal.sub,
      };
      const stored = await cases.putSettings(
        next,
        auditEvent(
          principal,
          'case.settings',
          { type: 'settings', id: 'cases' },
          {
            before: {
              stepDeadlines: current.stepDeadlines,
              retentionSchoolYears: current.retentionSchoolYears,
            },
            after: { stepDeadlines: next.stepDeadlines, retentionSchoolYears: next.retentionSchoolYears },
          },
          now,
        ),
      );
      if (!stored) throw new ConflictError('version_conflict', '控辍保学设置刚被他人修改,请刷新后重试');
      return view(next);
    },
  };
}
