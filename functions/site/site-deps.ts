import { parseLambdaConfig } from '../../shared/config.js';
import { s3UploadOrigin } from '../../shared/evidence/s3-evidence-store.js';
import type { AppDeps } from '../api/deps.js';
import { apiDeps, type LambdaDepsOverrides, loadParts } from '../api/lambda-deps.js';
import { oidcSignIn } from '../web/oidc-sign-in.js';
import { type SecretReader, secretsManagerReader } from './oidc-client-secret.js';

/** What a test may put in place of the outside world; the deployed function passes nothing. */
export interface SiteDepsOverrides extends LambdaDepsOverrides {
  /** How the client secret is read, if one is configured. @default Secrets Manager */
  readSecret?: SecretReader;
}

/**
 * Builds the site function's dependencies at cold start: the API function's (same config, same
 * table, same field key unwrapped by KMS, same verifier: a page acts through the same services and
 * policy), plus the pages' sign-in
 * at the deployment's issuer (authorization code + PKCE; a client secret, only if the issuer
 * insists on one, comes from Secrets Manager now, never from the environment) and the evidence
 * bucket's origin for the duty page's CSP.
 */
export async function loadSiteDeps(
  env: NodeJS.ProcessEnv = process.env,
  overrides: SiteDepsOverrides = {},
): Promise<AppDeps> {
  const config = parseLambdaConfig(env);
  const secretArn = config.DUBAN_OIDC_CLIENT_SECRET_ARN;
  const readSecret = overrides.readSecret ?? secretsManagerReader({ region: config.AWS_REGION });
  const clientSecret = secretArn === undefined ? undefined : await readSecret(secretArn);
  return {
    // The case pages seal and open children's fields with the same KMS-unwrapped key as the API.
    ...apiDeps(config, await loadParts(config, overrides)),
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
  };
}
