import { z } from 'zod';

/**
 * Environment of the AWS functions, parsed once at cold start. Anything missing fails the start
 * instead of surfacing later as an odd runtime error.
 */
const sweepEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** The append-only audit table (its own table so IAM can deny Update and Delete on it). */
  AUDIT_TABLE_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1),
  // The rehearsal clock is for one machine only: a deployment must never run on a made-up time.
  // .optional(): zod 4 treats a bare z.undefined() key as required, which refused every environment.
  DUBAN_NOW: z.undefined({ error: 'DUBAN_NOW (the rehearsal clock) is refused in AWS' }).optional(),
});
// The API verifies every token against the OIDC issuer again (the HTTP API's JWT authorizer is the
// first check); HS256 with a shared secret is for the local runtime only.
const lambdaEnvSchema = sweepEnvSchema.extend({
  DUBAN_OIDC_ISSUER: z.url({ protocol: /^https$/, error: 'DUBAN_OIDC_ISSUER must be an https URL' }),
  /** Comma-separated: the app client id(s) or the audience(s) the issuer puts in `aud`. */
  DUBAN_OIDC_AUDIENCE: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(z.string()).min(1, 'DUBAN_OIDC_AUDIENCE names no audience')),
  DUBAN_OIDC_JWKS_URI: z.url({ protocol: /^https$/ }).optional(),
  DUBAN_ROLE_CLAIM: z.string().min(1).default('role'),
  DUBAN_UNIT_CLAIM: z.string().min(1).default('unitId'),
  /** The evidence bucket the API presigns uploads to (infra/cloud/constructs/evidence-bucket.ts). */
  EVIDENCE_BUCKET: z.string().min(3, 'EVIDENCE_BUCKET (the evidence bucket name) is required').max(63),
});

export type LambdaConfig = z.infer<typeof lambdaEnvSchema>;
export type SweepConfig = z.infer<typeof sweepEnvSchema>;

function parseOrThrow<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid function environment: ${lines}`);
  }
  return parsed.data;
}

export const parseLambdaConfig = (env: NodeJS.ProcessEnv = process.env): LambdaConfig =>
  parseOrThrow(lambdaEnvSchema, env);

export const parseSweepConfig = (env: NodeJS.ProcessEnv = process.env): SweepConfig =>
  parseOrThrow(sweepEnvSchema, env);

/** Environment of the local runtime (`npm start`). */
const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DUBAN_DATA_DIR: z.string().min(1).default('.duban-data'),
  DUBAN_DEV_SECRET: z.string().min(32).optional(),
  DUBAN_TABLE_NAME: z.string().min(3).default('duban'),
  /** Rehearsal: the business clock starts at this instant and runs on from there. */
  DUBAN_NOW: z.iso.datetime({ offset: true }).optional(),
});

export type LocalConfig = z.infer<typeof localEnvSchema>;

export function parseLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const parsed = localEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment for the local server: ${lines}`);
  }
  return parsed.data;
}
