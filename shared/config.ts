import { z } from 'zod';
import { httpsOrLoopback } from './auth/issuer-url.js';
import { DEFAULT_REQUESTS_PER_MINUTE } from './services/rate-limiter.js';

/**
 * Environment of the AWS functions, parsed once at cold start. Anything missing fails the start
 * instead of surfacing later as an odd runtime error.
 */
/** Requests per caller per minute on /v1 (shared/services/rate-limiter.ts), in AWS and locally. */
const rateLimitPerMinute = z.coerce
  .number()
  .int()
  .min(1, 'DUBAN_RATE_LIMIT_PER_MINUTE must be at least 1')
  .default(DEFAULT_REQUESTS_PER_MINUTE);

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
const lambdaEnvSchema = sweepEnvSchema
  .extend({
    // The same rule as every issuer URL (shared/auth/oidc.ts): http only on the loopback interface.
    DUBAN_OIDC_ISSUER: z
      .url({ error: 'DUBAN_OIDC_ISSUER must be an https URL' })
      .refine((value) => httpsOrLoopback(new URL(value)), 'DUBAN_OIDC_ISSUER must be an https URL'),
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
    /** Where the API keeps channel credentials (Secrets Manager); absent: channels cannot be saved. */
    DUBAN_CHANNEL_CREDENTIALS_PREFIX: z.string().min(1).optional(),
    DUBAN_ROLE_CLAIM: z.string().min(1).default('role'),
    DUBAN_UNIT_CLAIM: z.string().min(1).default('unitId'),
    /** The evidence bucket the API presigns uploads to (infra/cloud/constructs/evidence-bucket.ts). */
    EVIDENCE_BUCKET: z.string().min(3, 'EVIDENCE_BUCKET (the evidence bucket name) is required').max(63),
    // The pages sign people in at the same issuer (authorization code + PKCE, functions/web/oidc-sign-in.ts).
    /** The pages' client at the issuer; its ID tokens carry it in `aud`, so it must be an accepted audience. */
    DUBAN_OIDC_CLIENT_ID: z.string().min(1, "DUBAN_OIDC_CLIENT_ID (the pages' client id) is required"),
    /** This site's `/signin/callback`, exactly as registered with the client. */
    DUBAN_OIDC_REDIRECT_URI: z
      .url({ protocol: /^https$/, error: 'DUBAN_OIDC_REDIRECT_URI must be an https URL' })
      .refine((value) => new URL(value).pathname === '/signin/callback', {
        error: 'DUBAN_OIDC_REDIRECT_URI must end in /signin/callback (the pages are served from the root)',
      }),
    /** Space-separated scopes asked for at sign-in. */
    DUBAN_OIDC_SCOPES: z
      .string()
      .default('openid profile email')
      .refine((value) => value.split(/\s+/).includes('openid'), {
        error: 'DUBAN_OIDC_SCOPES must include openid',
      }),
    /** Where the issuer sends the browser after signing out there; absent: sign-out ends only our session. */
    DUBAN_OIDC_POST_LOGOUT_URI: z.url({ protocol: /^https$/ }).optional(),
    /** Cognito's `/logout` on the hosted-UI domain (Cognito publishes no end_session_endpoint). */
    DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT: z.url({ protocol: /^https$/ }).optional(),
    /**
     * Only for an issuer that insists on a confidential client: the Secrets Manager secret holding the
     * client secret, read once at cold start. The secret itself is never in the environment.
     */
    DUBAN_OIDC_CLIENT_SECRET_ARN: z
      .string()
      .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, {
        error: 'DUBAN_OIDC_CLIENT_SECRET_ARN must be the ARN of a Secrets Manager secret',
      })
      .optional(),
    DUBAN_RATE_LIMIT_PER_MINUTE: rateLimitPerMinute,
    /**
     * The KMS key that wraps the data key of children's identifying fields
     * (shared/privacy/kms-field-keys.ts); absent: no field cipher, and the case routes answer 503.
     */
    DUBAN_FIELD_KMS_KEY_ID: z.string().min(1, 'DUBAN_FIELD_KMS_KEY_ID must name a KMS key').optional(),
  })
  .refine((env) => env.DUBAN_OIDC_AUDIENCE.includes(env.DUBAN_OIDC_CLIENT_ID), {
    error: "DUBAN_OIDC_AUDIENCE must include DUBAN_OIDC_CLIENT_ID: the pages' ID tokens name it in aud",
    path: ['DUBAN_OIDC_AUDIENCE'],
  });

/** The delivery function: the table, where channel credentials are, and the site the links point to. */
const deliveryEnvSchema = sweepEnvSchema.extend({
  /** Secrets Manager names of channel credentials start with this (`<prefix>/channel/<id>`). */
  DUBAN_CHANNEL_CREDENTIALS_PREFIX: z.string().min(1, 'DUBAN_CHANNEL_CREDENTIALS_PREFIX is required'),
  /** The site's origin: pushed messages link to `<site>/duties/<id>`. */
  DUBAN_SITE_URL: z.url({ protocol: /^https$/, error: 'DUBAN_SITE_URL must be an https URL' }),
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

export type DeliveryConfig = z.infer<typeof deliveryEnvSchema>;
export const parseDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig =>
  parseOrThrow(deliveryEnvSchema, env);

export const parseSweepConfig = (env: NodeJS.ProcessEnv = process.env): SweepConfig =>
  parseOrThrow(sweepEnvSchema, env);

/** A Java heap size as `-Xmx` takes it: bytes, or kibi-, mebi- or gibibytes (`1g`, `768m`). */
export const JAVA_HEAP_SIZE = /^[1-9][0-9]*[kKmMgG]?$/;

/** Environment of the local runtime (`npm start`). */
const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DUBAN_DATA_DIR: z.string().min(1).default('.duban-data'),
  DUBAN_DEV_SECRET: z.string().min(32).optional(),
  DUBAN_TABLE_NAME: z.string().min(3).default('duban'),
  /** Rehearsal: the business clock starts at this instant and runs on from there. */
  DUBAN_NOW: z.iso.datetime({ offset: true }).optional(),
  DUBAN_RATE_LIMIT_PER_MINUTE: rateLimitPerMinute,
  /** The embedded DynamoDB Local's Java heap ceiling (`-Xmx`), e.g. 1g or 768m. @default 1g */
  DUBAN_DYNAMODB_HEAP: z
    .string()
    .regex(JAVA_HEAP_SIZE, 'DUBAN_DYNAMODB_HEAP must look like 1g or 768m (what java -Xmx takes)')
    .optional(),
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
