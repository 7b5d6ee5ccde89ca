import { z } from 'zod';

/**
 * Environment of the AWS functions, parsed once at cold start. Anything missing fails the start
 * instead of surfacing later as an odd runtime error.
 */
const sweepEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1),
  // The rehearsal clock is for one machine only: a deployment must never run on a made-up time.
  DUBAN_NOW: z.undefined({ error: 'DUBAN_NOW (the rehearsal clock) is refused in AWS' }),
});
const lambdaEnvSchema = sweepEnvSchema.extend({ DUBAN_JWT_SECRET_ARN: z.string().min(1) });

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
