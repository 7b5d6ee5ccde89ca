import { HTTPException } from 'hono/http-exception';
import { isTransientStorageError } from '../../shared/db/errors.js';
import { AppError } from '../../shared/errors.js';
import { RateLimitedError } from '../../shared/services/rate-limiter.js';

export const MAX_BODY_BYTES = 256 * 1024;

export type ErrorStatus = AppError['status'];

/** What any error means to a caller, decided once for the API (JSON) and the pages (HTML). */
export interface ClassifiedError {
  status: ErrorStatus;
  code: string;
  /** For people, in Simplified Chinese; never a raw error's message. */
  message: string;
  details?: unknown;
  /** Seconds the caller should wait (429). */
  retryAfterSeconds?: number;
  /** True when nothing known explains the error: log it, show the generic message. */
  unexpected: boolean;
}

const HTTP_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: '请求格式有误(请求体须为合法的 JSON)' },
  403: { code: 'forbidden', message: '无法确认请求来自本站页面(跨站提交已拒绝),请从本站页面重新操作' },
  413: { code: 'payload_too_large', message: `请求体过大,上限为 ${MAX_BODY_BYTES / 1024} KiB` },
  415: { code: 'unsupported_media_type', message: '请求体须为 JSON(Content-Type: application/json)' },
};

/** The one classifier: the API and the pages map errors to status, code and message here. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      ...(err instanceof RateLimitedError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      unexpected: false,
    };
  }
  if (err instanceof HTTPException) {
    const known = HTTP_ERRORS[err.status];
    if (known) return { status: err.status as ErrorStatus, ...known, unexpected: false };
  }
  if (isTransientStorageError(err)) {
    return { status: 503, code: 'unavailable', message: '服务繁忙,请稍后重试', unexpected: false };
  }
  return {
    status: 500,
    code: 'internal',
    message: '服务器内部错误,请稍后重试或联系管理员',
    unexpected: true,
  };
}
