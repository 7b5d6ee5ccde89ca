import { oidcVerifier } from '../../shared/auth/oidc.js';
import { parseLambdaConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { createEvidenceS3Client, s3EvidenceStore } from '../../shared/evidence/s3-evidence-store.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';
import type { AppDeps } from './app.js';

/**
 * Builds the app's dependencies at cold start: config from the environment (failing fast), an
 * OIDC verifier for the deployment's issuer (the HTTP API's JWT authorizer checked the token
 * already; the app checks it again, so a route that ever bypassed the authorizer stays closed),
 * the table, the evidence bucket (uploads are presigned for it), and the real clock.
 */
export async function loadLambdaDeps(env: NodeJS.ProcessEnv = process.env): Promise<AppDeps> {
  const config = parseLambdaConfig(env);
  const doc = createDocumentClient({ region: config.AWS_REGION });
  const table = { doc, tableName: config.TABLE_NAME, auditTableName: config.AUDIT_TABLE_NAME };
  return {
    ...createServices(table),
    evidence: createEvidenceService(
      table,
      s3EvidenceStore({
        client: createEvidenceS3Client({ region: config.AWS_REGION }),
        bucket: config.EVIDENCE_BUCKET,
      }),
    ),
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
