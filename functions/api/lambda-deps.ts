import { oidcVerifier } from '../../shared/auth/oidc.js';
import { parseLambdaConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import {
  createEvidenceS3Client,
  s3EvidenceStore,
  s3UploadOrigin,
} from '../../shared/evidence/s3-evidence-store.js';
import { errorField, writeLog } from '../../shared/log.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import { oidcSignIn } from '../web/oidc-sign-in.js';
import type { AppDeps } from './deps.js';
import { type SecretReader, secretsManagerReader } from './oidc-client-secret.js';

/** What a test may put in place of the outside world; the deployed function passes nothing. */
export interface LambdaDepsOverrides {
  /** How the client secret is read, if one is configured. @default Secrets Manager */
  readSecret?: SecretReader;
}

/**
 * Builds the app's dependencies at cold start: config from the environment (failing fast), an
 * OIDC verifier for the deployment's issuer (the HTTP API's JWT authorizer checked the token
 * already; the app checks it again, so a route that ever bypassed the authorizer stays closed),
 * the pages' sign-in at the same issuer (authorization code + PKCE; a client secret, only if the
 * issuer insists on one, comes from Secrets Manager now, never from the environment), the table,
 * the evidence bucket (uploads are presigned for it), and the real clock.
 */
export async function loadLambdaDeps(
  env: NodeJS.ProcessEnv = process.env,
  overrides: LambdaDepsOverrides = {},
): Promise<AppDeps> {
  const config = parseLambdaConfig(env);
  const doc = createDocumentClient({ region: config.AWS_REGION });
  const table = { doc, tableName: config.TABLE_NAME, auditTableName: config.AUDIT_TABLE_NAME };
  const secretArn = config.DUBAN_OIDC_CLIENT_SECRET_ARN;
  const readSecret = overrides.readSecret ?? secretsManagerReader({ region: config.AWS_REGION });
  const clientSecret = secretArn === undefined ? undefined : await readSecret(secretArn);
  const evidenceStore = s3EvidenceStore({
    client: createEvidenceS3Client({ region: config.AWS_REGION }),
    bucket: config.EVIDENCE_BUCKET,
  });
  return {
    ...createServices(table, { evidenceFiles: evidenceStore }),
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
    web: {
      oidc: oidcSignIn({
        issuer: config.DUBAN_OIDC_ISSUER,
        clientId: config.DUBAN_OIDC_CLIENT_ID,
        clientSecret,
        redirectUri: config.DUBAN_OIDC_REDIRECT_URI,
        scope: config.DUBAN_OIDC_SCOPES,
        postLogoutRedirectUri: config.DUBAN_OIDC_POST_LOGOUT_URI,
        cognitoLogoutEndpoint: config.DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT,
      }),
      // Behind the HTTP API every request is https: the session cookie is always Secure.
      cookieSecure: true,
      // The duty page's upload script PUTs files to the bucket: its CSP must allow that origin.
      evidenceUploadOrigin: await s3UploadOrigin({
        config: { region: config.AWS_REGION },
        bucket: config.EVIDENCE_BUCKET,
      }),
    },
    clock: () => new Date(),
  };
}
