import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Principal } from '../../shared/auth/principal.js';
import { type FieldProblem, ValidationError } from '../../shared/errors.js';
import { ErrorBodySchema } from '../../shared/schemas/common.js';

export interface AppEnv {
  Variables: { principal: Principal; requestId: string };
}

const TARGET_LABELS: Record<string, string> = {
  json: '请求体',
  query: '查询参数',
  param: '路径参数',
  header: '请求头',
};

/**
 * A router whose every zod failure becomes one 400 naming each failing field, so no route
 * builds its own error body.
 */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
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

export const bearer = [{ bearer: [] }];
