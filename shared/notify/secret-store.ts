/**
 * Where channel credentials (a robot's webhook URL with its key, a signing secret) are kept: never
 * in the table, never in an API answer, a log line or the audit trail. A port with three adapters:
 * memory (tests), a file in the local data folder (infra/local/local-secret-store.ts) and AWS
 * Secrets Manager (./aws-secret-store.ts).
 */

/** What a channel needs to post; stored as one secret per channel. */
export interface ChannelCredentials {
  webhookUrl: string;
  secret?: string | undefined;
}

export interface SecretStore {
  put(name: string, value: ChannelCredentials): Promise<void>;
  /** Undefined when no secret of that name is stored. */
  get(name: string): Promise<ChannelCredentials | undefined>;
  delete(name: string): Promise<void>;
}

/** The secret's name for a channel. */
export const channelSecretName = (channelId: string) => `channel/${channelId}`;

export function memorySecretStore(): SecretStore {
  const values = new Map<string, string>();
  return {
    async put(name, value) {
      values.set(name, JSON.stringify(value));
    },
    async get(name) {
      const raw = values.get(name);
      return raw === undefined ? undefined : (JSON.parse(raw) as ChannelCredentials);
    },
    async delete(name) {
      values.delete(name);
    },
  };
}

/** Parses a stored secret; a malformed one reads as absent (the channel then reports it). */
export function parseCredentials(raw: string | undefined): ChannelCredentials | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<ChannelCredentials>;
    if (typeof value.webhookUrl !== 'string') return undefined;
    return typeof value.secret === 'string'
      ? { webhookUrl: value.webhookUrl, secret: value.secret }
      : { webhookUrl: value.webhookUrl };
  } catch {
    return undefined;
  }
}
