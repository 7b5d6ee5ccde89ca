/** Reads one secret's string value; injected so tests need no Secrets Manager. */
export type SecretReader = (secretArn: string) => Promise<string>;

/**
 * The pages' OIDC client secret from Secrets Manager, read once at cold start (only for an issuer
 * that insists on a confidential client). The secret is the plain string, or a JSON object with a
 * `client_secret` field as some consoles store it. The SDK client is loaded only when a secret is
 * configured: a public client's cold start does not pay for it.
 */
export function secretsManagerReader(options: { region: string }): SecretReader {
  return async (secretArn) => {
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: options.region });
    const { SecretString: value } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return clientSecretFrom(value, secretArn);
  };
}

/** The client secret a secret's string holds; throws (failing the cold start) on an empty one. */
export function clientSecretFrom(value: string | undefined, secretArn: string): string {
  let secret = value?.trim() ?? '';
  if (secret.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(secret);
    } catch {
      // JSON.parse quotes its input in the message: never let the secret reach a log.
      throw new Error(`The OIDC client secret ${secretArn} is neither a plain string nor JSON`);
    }
    const field =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>).client_secret
        : undefined;
    secret = typeof field === 'string' ? field : '';
  }
  if (secret === '') throw new Error(`The OIDC client secret ${secretArn} holds no client secret`);
  return secret;
}
