import { oidcVerifier } from '../../shared/auth/oidc.js';
import { type LambdaConfig, parseLambdaConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { AppError } from '../../shared/errors.js';
import { lazyEvidenceS3Client, s3EvidenceStore } from '../../shared/evidence/s3-evidence-store.js';
import { errorField, writeLog } from '../../shared/log.js';
import { awsSecretStore } from '../../shared/notify/aws-secret-store.js';
import type { SecretStore } from '../../shared/notify/secret-store.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import type { AppDeps } from './deps.js';

/**
 * Builds the API function's dependencies at cold start: config from the environment (failing
 * fast), an OIDC verifier for the deployment's issuer (the HTTP API's JWT authorizer checked the
 * token already; the app checks it again, so a route that ever bypassed the authorizer stays
 * closed), the table, the evidence bucket (uploads are presigned for it; the S3 SDK loads at the
 * first evidence call, not now), the per-caller budget and the real clock. No pages: the site
 * function adds those (functions/site/site-deps.ts).
 */
export function loadApiDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  return apiDeps(parseLambdaConfig(env));
}

/** The API function's dependencies from its parsed config; the site function builds on these. */
export function apiDeps(config: LambdaConfig): AppDeps {
  const doc = createDocumentClient({ region: config.AWS_REGION });
  const table = { doc, tableName: config.TABLE_NAME, auditTableName: config.AUDIT_TABLE_NAME };
  const evidenceStore = s3EvidenceStore({
    client: lazyEvidenceS3Client({ region: config.AWS_REGION }),
    bucket: config.EVIDENCE_BUCKET,
  });
  return {
    ...createServices(table, {
      evidenceFiles: evidenceStore,
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
