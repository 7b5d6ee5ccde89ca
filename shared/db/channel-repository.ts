import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DEFAULT_QUIET_HOURS } from '../domain/notify/quiet-hours.js';
import { CHANNEL_KINDS, type DeliverySettings } from '../schemas/channels.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import { ALL_CHANNELS_PK, channelDirectoryKeys, channelKey, deliverySettingsKey } from './keys.js';
import { writeWithAudit } from './transact.js';

/** A channel as stored: no credential here, only the name of its secret and a masked target. */
export const StoredChannelSchema = z.object({
  id: z.string(),
  owner: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  target: z.string(),
  hasSecret: z.boolean(),
  secretName: z.string(),
  mentionMobiles: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastResult: z.object({ ok: z.boolean(), at: z.string(), reason: z.string().nullable() }).nullable(),
});
export type StoredChannel = z.infer<typeof StoredChannelSchema>;

export interface ChannelRepository {
  get(id: string): Promise<StoredChannel | undefined>;
  /** Pattern H2: every channel (a county has a few hundred), or one owner's. */
  list(owner?: string): Promise<StoredChannel[]>;
  /** Writes the channel and its audit event in one transaction. */
  put(channel: StoredChannel, audit: AuditEvent): Promise<void>;
  /** Removes it with its audit event; false when it was not there. */
  remove(id: string, audit: AuditEvent): Promise<boolean>;
  /** The outcome of the latest post, for the office's list (failing channels at a glance). */
  recordResult(id: string, result: { ok: boolean; at: string; reason: string | null }): Promise<void>;
  settings(): Promise<DeliverySettings>;
  putSettings(settings: DeliverySettings, audit: AuditEvent): Promise<void>;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  quietStart: DEFAULT_QUIET_HOURS.start,
  quietEnd: DEFAULT_QUIET_HOURS.end,
  urgentLevels: [],
};

export function channelRepository(ref: TableRef): ChannelRepository {
  const { doc, tableName } = ref;
  return {
    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: channelKey(id), ConsistentRead: true }),
      );
      return out.Item ? StoredChannelSchema.parse(out.Item) : undefined;
    },

    async list(owner) {
      const items: StoredChannel[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byParent',
            KeyConditionExpression:
              owner === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND begins_with(gsi2sk, :owner)',
            ExpressionAttributeValues: {
              ':pk': ALL_CHANNELS_PK,
              ...(owner ? { ':owner': `${owner}#` } : {}),
            },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) items.push(StoredChannelSchema.parse(item));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return items;
    },

    async put(channel, audit) {
      await writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...channelKey(channel.id),
                ...channelDirectoryKeys(channel.owner, channel.id),
                entity: 'Channel',
                ...channel,
              },
            },
          },
        ],
        audit,
      );
    },

    async remove(id, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Delete: {
              TableName: tableName,
              Key: channelKey(id),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
        audit,
      );
    },

    async recordResult(id, result) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: channelKey(id),
            UpdateExpression: 'SET lastResult = :r',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':r': result },
          }),
        );
      } catch (err) {
        // Deleted meanwhile: nothing to record on.
        if (!isConditionFailure(err)) throw err;
      }
    },

    async settings() {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: deliverySettingsKey() }));
      if (out.Item === undefined) return DEFAULT_DELIVERY_SETTINGS;
      const { quietStart, quietEnd, urgentLevels } = out.Item as DeliverySettings;
      return { quietStart, quietEnd, urgentLevels };
    },

    async putSettings(settings, audit) {
      await writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...deliverySettingsKey(), entity: 'Settings', ...settings },
            },
          },
        ],
        audit,
      );
    },
  };
}
