import { UnauthorizedError } from '../../shared/errors.js';
import { createShell, type Shell } from '../http/shell.js';
import type { AppDeps } from './deps.js';
import { API_DOCUMENT_SECURITY } from './openapi.js';
import { auditRoutes } from './routes/audit.js';
import { calendarRoutes } from './routes/calendar.js';
import { careFileRoutes, casePairRoutes } from './routes/care-files.js';
import { caseLedgerRoutes, caseSettingsRoutes } from './routes/case-office.js';
import { caseWeeklyFormRoutes } from './routes/case-weekly-forms.js';
import { caseRoutes } from './routes/cases.js';
import { channelRoutes, deliverySettingsRoutes, noticeDeliveryRoutes } from './routes/channels.js';
import { dutyRoutes } from './routes/duties.js';
import { evidenceRoutes } from './routes/evidence.js';
import { extensionRoutes } from './routes/extensions.js';
import { handoffRoutes } from './routes/handoffs.js';
import { importRoutes } from './routes/imports.js';
import { indicatorRoutes } from './routes/indicators.js';
import { instructionRoutes } from './routes/instructions.js';
import { noticeRoutes } from './routes/notices.js';
import { planRoutes } from './routes/plans.js';
import { progressRoutes } from './routes/progress.js';
import { planReportRoutes, reportRoutes } from './routes/reports.js';
import { rosterRoutes, semesterRoutes } from './routes/rosters.js';
import { sweepRoutes } from './routes/sweeps.js';
import { unitRoutes } from './routes/units.js';

/**
 * Routes whose own write checks the caller's unit and waits for its rate budget (a duty's submit):
 * they start without a round trip. Matching more or less than the route only changes its speed —
 * an unmatched submit is checked before it starts, like any route.
 */
const ADMITTED_BY_WRITE = /^\/v1\/duties\/[^/]+\/submit$/;

/**
 * The API function's app: `/health` and the `/v1` JSON API on the shared shell — no pages, no
 * sign-in, no docs (functions/site/ serves those), so a phone's first call after a cold start loads
 * only this. The OpenAPI document is generated from these routes by the site function.
 */
export function createApiApp(deps: AppDeps) {
  return mountApi(createShell(deps), deps);
}

/** Mounts `/health` and `/v1` on `app`: the bearer check and budget, then one sub-app per resource. */
export function mountApi(app: Shell, deps: AppDeps): Shell {
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw new UnauthorizedError();
    const principal = await deps.verifyToken(match[1]);
    if (c.req.method === 'POST' && ADMITTED_BY_WRITE.test(c.req.path)) {
      c.set('principal', { ...principal, requestId: c.get('requestId') });
      // Nothing to wait for before the route starts: its transaction checks the unit (a
      // ConditionCheck), and it waits for the rate counter, counted meanwhile, before writing.
      const budget = deps.rateLimit?.take(principal) ?? Promise.resolve();
      budget.catch(() => {}); // awaited by the route or below; never an unhandled rejection
      c.set('admission', budget);
      await next();
      // A refusal is answered in the usual order all the same: a deactivated unit's 401 before a
      // spent budget's 429 before the route's own answer. Refusals are rare; this read is theirs.
      if (c.error === undefined || c.error instanceof UnauthorizedError) return;
      await deps.units.assertActive(principal);
      await budget;
      return;
    }
    // A deactivated unit's tokens stop working at once, not when they expire. The unit check and
    // the rate counter are independent round trips, so they run together; a refused unit's 401
    // wins over a 429.
    const [active, budget] = await Promise.allSettled([
      deps.units.assertActive(principal),
      deps.rateLimit?.take(principal),
    ]);
    if (active.status === 'rejected') throw active.reason;
    if (budget.status === 'rejected') throw budget.reason;
    c.set('principal', { ...principal, requestId: c.get('requestId') });
    await next();
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.route('/v1/units', unitRoutes(deps));
  app.route('/v1/plans', planRoutes(deps));
  app.route('/v1/plans', planReportRoutes(deps));
  app.route('/v1/reports', reportRoutes(deps));
  app.route('/v1/duties', dutyRoutes(deps));
  app.route('/v1/duties', extensionRoutes(deps));
  app.route('/v1/duties', evidenceRoutes(deps));
  app.route('/v1/notices', noticeRoutes(deps));
  app.route('/v1/sweeps', sweepRoutes(deps));
  app.route('/v1/calendar', calendarRoutes(deps));
  app.route('/v1/audit', auditRoutes(deps));
  app.route('/v1/cases', caseRoutes(deps));
  app.route('/v1', importRoutes(deps));
  app.route('/v1/plans', indicatorRoutes(deps));
  app.route('/v1/duties', progressRoutes(deps));
  app.route('/v1/channels', channelRoutes(deps));
  app.route('/v1/delivery-settings', deliverySettingsRoutes(deps));
  app.route('/v1/notices', noticeDeliveryRoutes(deps));
  app.route('/v1/semesters', semesterRoutes(deps));
  app.route('/v1/rosters', rosterRoutes(deps));
  app.route('/v1/case-weekly-forms', caseWeeklyFormRoutes(deps));
  app.route('/v1', instructionRoutes(deps));
  app.route('/v1/duties', handoffRoutes(deps));
  app.route('/v1/case-ledger', caseLedgerRoutes(deps));
  app.route('/v1/case-settings', caseSettingsRoutes(deps));
  app.route('/v1/care-files', careFileRoutes(deps));
  app.route('/v1/cases', casePairRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', API_DOCUMENT_SECURITY);
  return app;
}
