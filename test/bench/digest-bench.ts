/**
 * Issue 15's morning-digest benchmark at county scale: 400 units, each with a WeCom group, and
 * 50,000 duties (125 a unit). One digest run at 08:30 composes and posts every unit's message
 * through a receiver on loopback. Prints the time, the posts, the items and calls read, and the
 * ratio to a baseline measured in the same run: the bare reads the digest needs (one Query of
 * each unit's duties, D2), with no sign-off queue, composing, claims or posts.
 *
 *   npx tsx test/bench/digest-bench.ts
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { StoredChannel } from '../../shared/db/channel-repository.js';
import { createDocumentClient } from '../../shared/db/client.js';
import {
  channelDirectoryKeys,
  channelKey,
  unitDirectoryKeys,
  unitDutiesPk,
  unitKey,
} from '../../shared/db/keys.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import { INDEX_BY_UNIT } from '../../shared/db/table.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DEFAULT_ESCALATION_POLICY } from '../../shared/domain/escalation/ladder.js';
import { channelSecretName, memorySecretStore } from '../../shared/notify/secret-store.js';
import { PlanSchema } from '../../shared/schemas/plans.js';
import { TaskSchema } from '../../shared/schemas/tasks.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices } from '../../shared/services/index.js';
import { readCountingClient, writeAll } from './seed.js';

const UNITS = 400;
const PER_UNIT = 125;
const DAY_MS = 86_400_000;
// Wednesday 10 June 2026, 08:30 in Shanghai.
const MORNING = new Date('2026-06-10T00:30:00.000Z');
const CREATED = new Date('2026-06-01T02:00:00.000Z');
const unitId = (i: number) => `unit-${String(i).padStart(4, '0')}`;

export async function benchDigest(): Promise<{ seconds: number; ratio: number }> {
  let posts = 0;
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve(
      {
        fetch: async (request) => {
          await request.text();
          posts++;
          return Response.json({ errcode: 0, errmsg: 'ok' });
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      () => ok(s),
    );
  });
  const receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send`;
  const engine = await startDynamoDbLocal({});
  try {
    const client = createLocalDynamoDbClient(engine);
    await ensureTables(client, 'duban');
    const real = createDocumentClient(client);
    const { doc, counter } = readCountingClient(real);
    const secrets = memorySecretStore();
    const services = createServices(
      { doc, tableName: 'duban' },
      { secrets, siteUrl: 'https://duban.example.gov.cn' },
    );

    const plan = PlanSchema.parse({
      id: 'plan-bench',
      title: '迎国检',
      timezone: 'Asia/Shanghai',
      phases: [{ key: 'work', name: '自查整改', start: '2026-06-01' }],
      escalation: DEFAULT_ESCALATION_POLICY,
      createdAt: CREATED.toISOString(),
      createdBy: 'bench',
      version: 1,
    });
    const calendar = createWorkingCalendar([]);
    function* items() {
      for (let u = 0; u < UNITS; u++) {
        const id = unitId(u);
        yield {
          ...unitKey(id),
          ...unitDirectoryKeys(id),
          entity: 'Unit',
          id,
          name: `第${u}小学`,
          kind: 'school',
          parentId: null,
          active: true,
          createdAt: CREATED.toISOString(),
          createdBy: 'bench',
          version: 1,
        };
        const channel: StoredChannel = {
          id: `group-${u}`,
          owner: `unit:${id}`,
          kind: 'wecom',
          name: `第${u}小学工作群`,
          target: 'http://127.0.0.1/****',
          hasSecret: false,
          secretName: channelSecretName(`group-${u}`),
          mentionMobiles: [],
          createdAt: CREATED.toISOString(),
          updatedAt: CREATED.toISOString(),
          lastResult: null,
        };
        yield {
          ...channelKey(channel.id),
          ...channelDirectoryKeys(channel.owner, channel.id),
          entity: 'Channel',
          ...channel,
        };
        for (let t = 0; t < PER_UNIT; t++) {
          // Due from two weeks before the morning to three weeks after.
          const dueAt = new Date(MORNING.getTime() + ((t % 35) - 14) * DAY_MS).toISOString();
          const duty = newDuty({
            id: `duty-${u}-${t}`,
            plan,
            task: TaskSchema.parse({
              id: `task-${t}`,
              planId: plan.id,
              title: `重点工作第${t + 1}项`,
              description: '',
              phaseKey: 'work',
              leadUnitId: id,
              coUnitIds: [],
              dueAt,
              recurrence: null,
              kind: 'task',
              escalation: null,
              occurrencesUntil: null,
              nextMaterializeAt: null,
              createdAt: CREATED.toISOString(),
              createdBy: 'bench',
            }),
            unitId: id,
            dueAt,
            occurrenceKey: null,
            now: CREATED,
            calendar,
          });
          yield dutyItem(duty);
        }
      }
    }
    const seedStarted = performance.now();
    const written = await writeAll(real, 'duban', items());
    for (let u = 0; u < UNITS; u++)
      await secrets.put(channelSecretName(`group-${u}`), { webhookUrl: `${receiver}?key=k${u}` });
    console.log(`seeded ${written} items in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    // Baseline: one bare Query of each unit's duties (D2), 8 units at a time, as the digest reads.
    const baseStarted = performance.now();
    for (let u = 0; u < UNITS; u += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, UNITS - u) }, async (_, k) => {
          let start: Record<string, unknown> | undefined;
          do {
            const out = await real.send(
              new QueryCommand({
                TableName: 'duban',
                IndexName: INDEX_BY_UNIT.name,
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': unitDutiesPk(unitId(u + k)) },
                ExclusiveStartKey: start,
              }),
            );
            start = out.LastEvaluatedKey;
          } while (start !== undefined);
        }),
      );
    }
    const baseMs = performance.now() - baseStarted;

    counter.counting = true;
    const started = performance.now();
    const result = await services.digests.run(MORNING);
    const ms = performance.now() - started;
    counter.counting = false;
    const again = await services.digests.run(new Date(MORNING.getTime() + 3_600_000));

    console.log(
      `digest: ${UNITS} units, ${UNITS * PER_UNIT} duties: ${result.sent} sent, ${posts} posts, ` +
        `${(ms / 1000).toFixed(2)} s; items read ${counter.items} in ${counter.calls} calls ` +
        `(${(counter.items / UNITS).toFixed(0)} a unit)`,
    );
    console.log(`  a second run the same day: ${again.posts} posts (each unit's digest once a day)`);
    console.log(
      `  baseline, a bare D2 Query of every unit: ${(baseMs / 1000).toFixed(2)} s; ratio ${(ms / baseMs).toFixed(2)}×`,
    );
    return { seconds: ms / 1000, ratio: ms / baseMs };
  } finally {
    server.close();
    await engine.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchDigest();
}
