/** A field-level problem, as returned in `error.details` of a 400. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The one error type the API serialises. `message` is for people (Simplified Chinese), `code` is
 * for programs (stable English), `details` carries structured context such as failing fields.
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, problems: FieldProblem[]) {
    super(400, 'validation_failed', message, { fields: problems });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = '未登录或令牌无效,请提供有效的 Bearer 令牌') {
    super(401, 'unauthorized', message);
  }
}

/** A unit user's unit is gone or deactivated: its tokens stop working at once. */
export class UnitInactiveError extends UnauthorizedError {
  constructor() {
    super('该单位已停用或不存在,令牌已失效');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = '无权执行此操作') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what}不存在:${id}`, { resource: what, id });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

/** New work (a task, a finding) in a phase the office has closed; the form shows it by the phase. */
export class PhaseClosedError extends ConflictError {
  constructor(phaseKey: string) {
    super('phase_closed', `该阶段已关闭,不能再新增任务(须办公室重新开放):${phaseKey}`, { field: 'phaseKey' });
  }
}

/** The storage layer is throttled or unavailable; the client may retry. */
export class UnavailableError extends AppError {
  constructor(message = '服务繁忙,请稍后重试') {
    super(503, 'unavailable', message);
  }
}
