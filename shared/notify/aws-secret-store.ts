import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type ChannelCredentials, parseCredentials, type SecretStore } from './secret-store.js';

const notFound = (err: unknown) => err instanceof Error && err.name === 'ResourceNotFoundException';

/**
 * Channel credentials in AWS Secrets Manager, one secret per channel under `prefix` (the stack
 * grants the API function write access and the delivery function `GetSecretValue` only there).
 * Reads are cached for `cacheMs`: a delivery run posting to 400 groups reads each secret once.
 */
export function awsSecretStore(options: {
  prefix: string;
  client?: SecretsManagerClient;
  cacheMs?: number;
  now?: () => number;
}): SecretStore {
  const client = options.client ?? new SecretsManagerClient({});
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: ChannelCredentials | undefined }>();
  const id = (name: string) => `${options.prefix}/${name}`;
  return {
    async put(name, value) {
      const SecretString = JSON.stringify(value);
      cache.delete(name);
      try {
        await client.send(new PutSecretValueCommand({ SecretId: id(name), SecretString }));
      } catch (err) {
        if (!notFound(err)) throw err;
        await client.send(new CreateSecretCommand({ Name: id(name), SecretString }));
      }
    },
    async get(name) {
      const hit = cache.get(name);
      if (hit !== undefined && now() - hit.at < cacheMs) return hit.value;
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: id(name) }));
        const value = parseCredentials(out.SecretString);
        cache.set(name, { at: now(), value });
        return value;
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async delete(name) {
      cache.delete(name);
      try {
        await client.send(new DeleteSecretCommand({ SecretId: id(name), RecoveryWindowInDays: 7 }));
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    },
  };
}
