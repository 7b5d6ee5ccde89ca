import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Principal } from '../../shared/auth/principal.js';
import { type FieldProblem, ValidationError } from '../../shared/errors.js';
import { XLSX_CONTENT_TYPE } from '../../shared/export/report-xlsx.js';
import { ErrorBodySchema } from '../../shared/schemas/common.js';

export interface AppEnv {
  Variables: {
    principal: Principal;
    requestId: string;
    /** The request's rate budget, still being counted, on routes that wait for it before writing. */
    admission: Promise<void> | undefined;
  };
}

const TARGET_LABELS: Record<string, string> = {
  json: '请求体',
  query: '查询参数',
  param: '路径参数',
  header: '请求头',
};

/** What a client may send as `Idempotency-Key`: a UUID, or any 1–255 visible ASCII characters. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key 须为 1–255 个可见 ASCII 字符(建议用 UUID)');

const idempotencyKeyParam = IdempotencyKeySchema.optional().openapi('IdempotencyKey', {
  param: { name: 'Idempotency-Key', in: 'header', required: false },
  description:
    '可选。重试同一创建请求时带上同一个键(建议每次新建生成一个 UUID):同一调用者在同一接口 24 小时内以同一键、' +
    '同一内容再次请求,返回第一次的结果(相同状态码和响应体,响应头 Idempotent-Replayed: true),不会重复创建;' +
    '同一键、不同内容返回 409 idempotency_key_reused;第一次请求尚未完成时返回 409 idempotency_in_progress。' +
    '请求被拒绝(4xx)或服务器出错(5xx)时不保存结果,修正后可用同一键重试。',
  example: '5f0c6a1e-3b7d-4c8e-9a2f-1d4b6e8c0a37',
});

/**
 * The `Idempotency-Key` header of every create, declared once: the spec carries it as one
 * component parameter (registered by newRouter) that each create operation references.
 */
export const idempotencyHeaders = z.object({ 'Idempotency-Key': idempotencyKeyParam });

/**
 * A router whose every zod failure becomes one 400 naming each failing field, so no route
 * builds its own error body.
 */
export function newRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const problems: FieldProblem[] = result.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : '(root)',
        message: issue.message,
      }));
      const where = TARGET_LABELS[result.target] ?? result.target;
      throw new ValidationError(`${where}有误:${problems.map((p) => p.field).join('、')}`, problems);
    },
  });
  // Mounting merges each router's registry into the app's: the spec gets this parameter once.
  router.openAPIRegistry.registerParameter('IdempotencyKey', idempotencyKeyParam);
  return router;
}

/** An error response for OpenAPI: the one error body, with this description. */
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

/** The error responses routes declare in OpenAPI, by status. */
export const errors = {
  400: errorResponse('请求参数有误(details.fields 列出每个有误的字段)'),
  401: errorResponse('未提供令牌或令牌无效'),
  403: errorResponse('无权执行此操作'),
  404: errorResponse('资源不存在'),
  409: errorResponse('冲突:状态不允许或已被他人修改'),
} as const;

type ErrorStatus = keyof typeof errors;

/** The declared error responses of a route, e.g. `...errorsFor(400, 401, 403, 404)`. */
export const errorsFor = <S extends ErrorStatus>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((s) => [s, errors[s]])) as { [K in S]: (typeof errors)[K] };

/** A path parameter holding an id (lower-case letters, digits, '-': what ids are made of). */
export const pathId = (name: string, label: string) =>
  z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, `${label}格式无效`)
    .openapi({ param: { name, in: 'path' } });

/** `{dutyId}`: the duty routes, its evidence and its extension requests share it. */
export const dutyIdParam = z.object({ dutyId: pathId('dutyId', '任务编号') });

export const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A 200 that is JSON, or with `format=csv` or `format=xlsx` the same as a file to download. */
export const jsonOrFileResponse = <T>(schema: T, description: string) => ({
  description,
  content: {
    'application/json': { schema },
    'text/csv': { schema: z.string() },
    [XLSX_CONTENT_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
  },
});

export const bearer = [{ bearer: [] }];
