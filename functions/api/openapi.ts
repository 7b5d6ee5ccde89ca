import type { OpenAPIHono } from '@hono/zod-openapi';

type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Every operation's `operationId`, keyed by `METHOD path` as the document lists it. Kept here, in
 * one table, so a generated client's method names are stable and read as what they do; a test
 * checks that every operation has one and that they are unique.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'POST /v1/units': 'createUnit',
  'GET /v1/units': 'listUnits',
  'GET /v1/units/{unitId}': 'getUnit',
  'POST /v1/units/{unitId}/deactivate': 'deactivateUnit',
  'GET /v1/units/{unitId}/duties': 'listUnitDuties',
  'POST /v1/plans': 'createPlan',
  'GET /v1/plans': 'listPlans',
  'GET /v1/plans/{planId}': 'getPlan',
  'POST /v1/plans/{planId}/tasks': 'createTask',
  'GET /v1/plans/{planId}/tasks': 'listPlanTasks',
  'GET /v1/plans/{planId}/tasks/{taskId}': 'getPlanTask',
  'GET /v1/plans/{planId}/duties': 'listPlanDuties',
  'POST /v1/plans/{planId}/phases/{key}/close': 'closePhase',
  'POST /v1/plans/{planId}/phases/{key}/reopen': 'reopenPhase',
  'POST /v1/plans/{planId}/counters/recount': 'recountPlanCounters',
  'POST /v1/plans/{planId}/findings': 'createFinding',
  'GET /v1/plans/{planId}/findings': 'listPlanFindings',
  'POST /v1/plans/{planId}/reports': 'createReport',
  'GET /v1/plans/{planId}/reports': 'listPlanReports',
  'GET /v1/reports/{reportId}': 'getReport',
  'GET /v1/duties/{dutyId}': 'getDuty',
  'GET /v1/duties/{dutyId}/history': 'getDutyHistory',
  'POST /v1/duties/{dutyId}/submit': 'submitDuty',
  'POST /v1/duties/{dutyId}/accept': 'acceptDuty',
  'POST /v1/duties/{dutyId}/confirm': 'confirmDuty',
  'POST /v1/duties/{dutyId}/return': 'returnDuty',
  'POST /v1/duties/{dutyId}/extension-requests': 'createExtensionRequest',
  'GET /v1/duties/{dutyId}/extension-requests': 'listExtensionRequests',
  'POST /v1/duties/{dutyId}/extension-requests/{requestId}/approve': 'approveExtensionRequest',
  'POST /v1/duties/{dutyId}/extension-requests/{requestId}/refuse': 'refuseExtensionRequest',
  'POST /v1/duties/{dutyId}/evidence-uploads': 'createEvidenceUpload',
  'GET /v1/duties/{dutyId}/evidence-files/{fileName}': 'getEvidenceDownload',
  'GET /v1/notices': 'listNotices',
  'POST /v1/notices/{noticeId}/ack': 'acknowledgeNotice',
  'POST /v1/sweeps': 'runSweep',
  'GET /v1/calendar/{year}': 'getCalendar',
  'PUT /v1/calendar/{year}': 'setCalendar',
  'GET /v1/audit': 'listAuditEvents',
  'POST /v1/cases': 'createCase',
  'GET /v1/cases': 'listCases',
  'GET /v1/cases/{caseId}': 'getCase',
  'POST /v1/cases/{caseId}/steps': 'createCaseStep',
  'POST /v1/cases/{caseId}/return': 'recordCaseReturn',
  'POST /v1/cases/{caseId}/registry-updated': 'confirmCaseRegistryUpdated',
  'PUT /v1/units/{unitId}/aliases': 'setUnitAliases',
  'POST /v1/plans/{planId}/imports': 'importTasks',
  'GET /v1/imports/template.xlsx': 'getImportTemplate',
  'GET /v1/plans/{planId}/indicators': 'listIndicators',
  'GET /v1/plans/{planId}/indicators/table': 'getIndicatorTable',
  'PUT /v1/plans/{planId}/indicators/{key}': 'putIndicator',
  'PUT /v1/plans/{planId}/indicators/{key}/figures/{period}': 'putIndicatorFigure',
  'POST /v1/calendar/{year}/notice': 'readHolidayNotice',
  'POST /v1/duties/{dutyId}/progress': 'reportDutyProgress',
  'POST /v1/duties/{dutyId}/receive': 'receiveDuty',
  'POST /v1/duties/{dutyId}/reminders': 'remindDuty',
  'GET /v1/channels': 'listChannels',
  'PUT /v1/channels/{channelId}': 'putChannel',
  'DELETE /v1/channels/{channelId}': 'deleteChannel',
  'POST /v1/channels/{channelId}/test': 'testChannel',
  'GET /v1/delivery-settings': 'getDeliverySettings',
  'PUT /v1/delivery-settings': 'setDeliverySettings',
  'GET /v1/notices/{noticeId}/deliveries': 'listNoticeDeliveries',
  'PUT /v1/plans/{planId}/scoring-rules': 'putScoringRules',
  'PUT /v1/plans/{planId}/light-settings': 'putLightSettings',
  'POST /v1/semesters': 'createSemester',
  'GET /v1/semesters': 'listSemesters',
  'GET /v1/semesters/{semesterId}': 'getSemester',
  'POST /v1/rosters/imports': 'importRosters',
  'GET /v1/rosters/ledger': 'getRosterLedger',
  'GET /v1/rosters/ledger/export': 'exportRosterLedger',
  'POST /v1/case-weekly-forms/setup': 'setUpCaseWeeklyForms',
  'GET /v1/case-weekly-forms/{dutyId}': 'previewCaseWeeklyForm',
  'POST /v1/case-weekly-forms/{dutyId}': 'fileCaseWeeklyForm',
  'POST /v1/plans/{planId}/tasks/{taskId}/instructions': 'createTaskInstruction',
  'GET /v1/plans/{planId}/tasks/{taskId}/instructions': 'listTaskInstructions',
  'POST /v1/duties/{dutyId}/instructions': 'createDutyInstruction',
  'GET /v1/duties/{dutyId}/instructions': 'listDutyInstructions',
  'PUT /v1/duties/{dutyId}/milestones': 'putDutyMilestones',
  'POST /v1/duties/{dutyId}/milestones/approve': 'approveDutyMilestones',
  'PUT /v1/plans/{planId}/tasks/{taskId}/milestones': 'putTaskMilestones',
  'POST /v1/duties/{dutyId}/handoffs': 'handOffDuty',
  'GET /v1/case-ledger': 'getCaseLedger',
  'GET /v1/case-settings': 'getCaseSettings',
  'PUT /v1/case-settings': 'putCaseSettings',
  'POST /v1/cases/{caseId}/home-teaching': 'setUpCaseHomeTeaching',
  'POST /v1/care-files': 'createCareFile',
  'GET /v1/care-files': 'listCareFiles',
  'GET /v1/care-files/{careFileId}': 'getCareFile',
  'POST /v1/care-files/{careFileId}/records': 'createCareRecord',
  'POST /v1/care-files/{careFileId}/pairs': 'setUpCareFilePair',
  'POST /v1/cases/{caseId}/pairs': 'setUpCasePair',
  'GET /v1/units/{unitId}/below/duties': 'unitsBelowDuties',
  'POST /v1/case-ledger/reports': 'createCaseLedgerReport',
  'GET /v1/case-ledger/reports': 'listCaseLedgerReports',
  'GET /v1/case-ledger/reports/{reportId}': 'getCaseLedgerReport',
};

const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/**
 * 429 and 503 can come from any /v1 operation (the per-caller budget, a throttled table), so they
 * are declared once as components and referenced from every operation rather than repeated in
 * each route's declaration. They are plain JSON Schema references: a zod schema placed here would
 * be serialised as zod's own object, not as a schema.
 */
const COMMON_RESPONSES = {
  TooManyRequests: {
    description: '请求过于频繁:超出每个用户每分钟的请求次数(见 Retry-After 响应头)',
    headers: {
      'Retry-After': {
        description: '可再次请求前须等待的秒数',
        schema: { type: 'integer' as const, minimum: 1 },
      },
    },
    content: errorBody,
  },
  Unavailable: { description: '服务繁忙,请稍后重试', content: errorBody },
};

/** How /v1 callers authenticate, registered once as the `bearer` security scheme. */
export const API_DOCUMENT_SECURITY = {
  type: 'http' as const,
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: '声明 sub、role(office | leader | unit),单位用户另有 unitId',
};

/** The document's head; the paths and schemas come from the routes. */
const DOCUMENT_HEAD = {
  openapi: '3.1.0',
  info: {
    title: 'duban 督办 API',
    version: '1.0.0',
    description: '工作方案、阶段、任务分解与单位办结。错误统一为 {error: {code, message, details}}。',
  },
};

/** The OpenAPI 3.1 document of the routes mounted on `app` (functions/api/app.ts `mountApi`). */
export function apiDocument(app: Pick<OpenAPIHono, 'getOpenAPI31Document'>): OpenApiDocument {
  return completeDocument(app.getOpenAPI31Document(DOCUMENT_HEAD));
}

/**
 * Completes the generated document: a server (this origin), each operation's `operationId`, and
 * the 429 and 503 every /v1 operation can answer.
 */
export function completeDocument(doc: OpenApiDocument): OpenApiDocument {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (item === undefined) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const operationId = OPERATION_IDS[`${method.toUpperCase()} ${path}`];
      if (operationId !== undefined) operation.operationId = operationId;
      if (path.startsWith('/v1/') && operation.responses) {
        Object.assign(operation.responses, {
          429: { $ref: '#/components/responses/TooManyRequests' },
          503: { $ref: '#/components/responses/Unavailable' },
        });
      }
    }
  }
  doc.components = { ...doc.components, responses: { ...doc.components?.responses, ...COMMON_RESPONSES } };
  // Relative: the API is served from the same origin as this document (local server, API Gateway).
  doc.servers = [{ url: '/', description: '本服务' }];
  return doc;
}
