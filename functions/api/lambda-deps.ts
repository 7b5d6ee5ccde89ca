import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hs256Verifier } from '../../shared/auth/tokens.js';
import { parseLambdaConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { createServices } from '../../shared/services/index.js';
import type { AppDeps } from './app.js';

/**
 * Builds the app's dependencies at cold start: config from the environment (failing fast), the
 * token secret from Secrets Manager (never in the template), the table, and the real clock.
 */
export async function loadLambdaDeps(env: NodeJS.ProcessEnv = process.env): Promise<AppDeps> {
  const config = parseLambdaConfig(env);
  const secrets = new SecretsManagerClient({ region: config.AWS_REGION });
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.DUBAN_JWT_SECRET_ARN }));
  if (!secret.SecretString) throw new Error('The token secret is empty');
  const doc = createDocumentClient({ region: config.AWS_REGION });
  return {
    ...createServices({ doc, tableName: config.TABLE_NAME }),
    verifyToken: hs256Verifier(secret.SecretString),
    clock: () => new Date(),
  };
}
