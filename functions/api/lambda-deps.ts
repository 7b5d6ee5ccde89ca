import { KMSClient } from '@aws-sdk/client-kms';
import { oidcVerifier } from '../../shared/auth/oidc.js';
import { type LambdaConfig, parseLambdaConfig } from '../../shared/config.js';
import { createDocumentClient, type TableRef } from '../../shared/db/client.js';
import { fieldKeyRepository } from '../../shared/db/field-key-repository.js';
import { AppError } from '../../shared/errors.js';
import { lazyEvidenceS3Client, s3EvidenceStore } from '../../shared/evidence/s3-evidence-store.js';
import { errorField, writeLog } from '../../shared/log.js';
import { awsSecretStore } from '../../shared/notify/aws-secret-store.js';
import type { SecretStore } from '../../shared/notify/secret-store.js';
import { createFieldCipher, type FieldCipher } from '../../shared/privacy/field-cipher.js';
import { loadKmsFieldKeys } from '../../shared/privacy/kms-field-keys.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import type { AppDeps } from './deps.js';

/** What a test may put in place of the outside world; the deployed function passes nothing. */
export interface LambdaDepsOverrides {
  /** The KMS client that unwraps the field key. @default a client for the function's region */
  kms?: KMSClient;
  /** The table (DynamoDB Local in tests). @default the function's table in its region */
  table?: TableRef;
}

/** What the cold start loads before the services are built. */
export interface LoadedParts {
  table?: TableRef;
  /**
   * How to load the cipher of children's identifying fields, at the first case request (a KMS
   * unwrap no duty request should wait for); absent, the case routes answer 503.
   */
  fieldCipher?: () => Promise<FieldCipher>;
}

/**
 * Builds the API function's dependencies at cold start: config from the environment (failing
 * fast), an OIDC verifier for the deployment's issuer (the HTTP API's JWT authorizer checked the
 * token already; the app checks it again, so a route that ever bypassed the authorizer stays
 * closed), the table, the field cipher (its data key unwrapped by KMS at the first case request,
 * once per instance),
 * the evidence bucket (uploads are presigned for it; the S3 SDK loads at the first evidence call,
 * not now), the per-caller budget and the real clock. No pages: the site function adds those
 * (functions/site/site-deps.ts).
 */
export async function loadApiDeps(
  env: NodeJS.ProcessEnv = process.env,
  overrides: LambdaDepsOverrides = {},
): Promise<AppDeps> {
  const config = parseLambdaConfig(env);
  return apiDeps(config, await loadParts(config, overrides));
}

/** The table and, when DUBAN_FIELD_KMS_KEY_ID names a KMS key, how to load the field cipher. */
export async function loadParts(
  config: LambdaConfig,
  overrides: LambdaDepsOverrides = {},
): Promise<LoadedParts> {
  const table = overrides.table ?? tableOf(config);
  if (config.DUBAN_FIELD_KMS_KEY_ID === undefined) return { table };
  return {
    table,
    fieldCipher: async () => {
      const cipher = await loadFieldCipher(config, table, overrides);
      if (cipher === undefined)
        throw new Error('DUBAN_FIELD_KMS_KEY_ID is set but no field cipher was built');
      return cipher;
    },
  };
}

/**
 * The field cipher of a deployment whose config names a KMS key (undefined otherwise). A key that
 * cannot be unwrapped fails the case request that asked for it, loudly (a 500, logged), rather than
 * sealing with a new key; the next case request tries again. Duty routes never wait for it.
 */
export async function loadFieldCipher(
  config: LambdaConfig,
  table: TableRef,
  overrides: LambdaDepsOverrides = {},
): Promise<FieldCipher | undefined> {
  const kmsKeyId = config.DUBAN_FIELD_KMS_KEY_ID;
  if (kmsKeyId === undefined) return undefined;
  const keys = await loadKmsFieldKeys({
    kms: overrides.kms ?? new KMSClient({ region: config.AWS_REGION }),
    kmsKeyId,
    store: fieldKeyRepository(table),
  });
  writeLog({ level: 'info', message: 'field key unwrapped', fieldKeyId: keys.current.id });
  return createFieldCipher(keys);
}

function tableOf(config: LambdaConfig): TableRef {
  const doc = createDocumentClient({ region: config.AWS_REGION });
  return { doc, tableName: config.TABLE_NAME, auditTableName: config.AUDIT_TABLE_NAME };
}

/** The API function's dependencies from its parsed config; the site function builds on these. */
export function apiDeps(config: LambdaConfig, parts: LoadedParts = {}): AppDeps {
  const table = parts.table ?? tableOf(config);
  const evidenceStore = s3EvidenceStore({
    client: lazyEvidenceS3Client({ region: config.AWS_REGION }),
    bucket: config.EVIDENCE_BUCKET,
  });
  return {
    ...createServices(table, {
      evidenceFiles: evidenceStore,
      fieldCipher: parts.fieldCipher,
      secrets:
        config.DUBAN_CHANNEL_CREDENTIALS_PREFIX === undefined
          ? noSecretStore
          : awsSecretStore({ prefix: config.DUBAN_CHANNEL_CREDENTIALS_PREFIX }),
    }),
    evidence: createEvidenceService(table, evidenceStore),
    rateLimit: rateLimiter(table, {
      limit: config.DUBAN_RATE_LIMIT_PER_MINUTE,
      onStoreError: (err) =>
        writeLog({ level: 'warn', message: 'rate limit not counted', error: errorField(err) }),
    }),
    verifyToken: oidcVerifier({
      issuer: config.DUBAN_OIDC_ISSUER,
      audience: config.DUBAN_OIDC_AUDIENCE,
      jwksUri: config.DUBAN_OIDC_JWKS_URI,
      roleClaim: config.DUBAN_ROLE_CLAIM,
      unitClaim: config.DUBAN_UNIT_CLAIM,
    }),
    clock: () => new Date(),
  };
}

const unconfigured = async (): Promise<never> => {
  throw new AppError(
    503,
    'channels_unconfigured',
    '未配置推送通道的密钥库(DUBAN_CHANNEL_CREDENTIALS_PREFIX)',
  );
};
/** Without a secret prefix channels cannot be saved or tested: a clear 503, never a silent loss. */
const noSecretStore: SecretStore = { put: unconfigured, get: unconfigured, delete: unconfigured };
