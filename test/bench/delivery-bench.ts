/**
 * Issue 15's benchmark: 1,000 notices due in one sweep for 400 units reach their WeCom groups
 * through a receiver on loopback, within the robot limit. Prints the time, posts per channel, the
 * most posts any robot got in one minute, and the ratio to a baseline measured in the same run:
 * the same number of posts sent straight to the receiver, with no claims, leases or table writes.
 *
 *   npx tsx test/bench/delivery-bench.ts
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { auditEvent } from '../../shared/db/audit.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { noticeRepository } from '../../shared/db/notice-repository.js';
import { httpPoster } from '../../shared/notify/senders.js';
import type { Notice } from '../../shared/schemas/notices.js';
import { createServices } from '../../shared/services/index.js';

const UNITS = 400;
const NOTICES = 1000;
const TARGET_SECONDS = 60;
const OFFICE: Principal = { sub: 'bench', role: 'office' };

export async function benchDelivery(): Promise<{ seconds: number; ratio: number }> {
  const posts = new Map<string, number[]>();
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve(
      {
        fetch: async (request) => {
          const key = new URL(request.url).searchParams.get('key') ?? '';
          await request.text();
          posts.set(key, [...(posts.get(key) ?? []), Date.now()]);
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
    const table = { doc: createDocumentClient(client), tableName: 'duban' };
    const services = createServices(table, { siteUrl: 'https://duban.example.gov.cn' });
    const now = new Date('2026-05-20T09:30:00Z');

    for (let i = 0; i < UNITS; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, UNITS - i) }, async (_, k) => {
          const id = `school-${i + k}`;
          await services.units.create(OFFICE, { id, name: `第${i + k}小学`, kind: 'school' }, now);
          await services.channels.put(
            OFFICE,
            `group-${i + k}`,
            {
              owner: `unit:${id}`,
              kind: 'wecom',
              name: `${id} 工作群`,
              webhookUrl: `${receiver}?key=k${i + k}`,
            },
            now,
          );
        }),
      );
    }
    const notices = noticeRepository(table);
    for (let i = 0; i < NOTICES; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, NOTICES - i) }, (_, k) => {
          const n = i + k;
          const notice: Notice = {
            id: `bench-${n}`,
            planId: 'bench',
            taskId: 'task',
            dutyId: `duty-${n}`,
            unitId: `school-${n % UNITS}`,
            dutyTitle: `周报表 ${n}`,
            round: 1,
            level: 'overdue',
            levelLabel: '逾期催办',
            offsetWorkingDays: 0,
            addressees: ['unit'],
            recipients: [`unit:school-${n % UNITS}`],
            dueAt: '2026-05-20T09:00:00.000Z',
            scheduledAt: '2026-05-20T09:00:00.000Z',
            createdAt: now.toISOString(),
            workingDaysLate: 0,
            calendarFallback: false,
            acks: {},
          };
          const audit = auditEvent(
            OFFICE,
            'notice.create',
            { type: 'notice', id: notice.id, planId: 'bench' },
            {
              before: null,
              after: { level: 'overdue' },
            },
            now,
          );
          return notices.writeLevels([
            { notice, ladder: { fromIndex: 0, toIndex: 1, nextActionAt: null }, audit },
          ]);
        }),
      );
    }

    // The delivery: runs until the outbox is empty, on a business clock that starts at 17:30
    // Shanghai (outside quiet hours) and runs at real speed, so the robot's minute is a real one.
    const started = performance.now();
    const clock = () => new Date(now.getTime() + (performance.now() - started));
    let runs = 0;
    for (;;) {
      const result = await services.deliveries.run(clock());
      runs++;
      if (result.notices === 0) break;
      if (performance.now() - started > 5 * TARGET_SECONDS * 1000) throw new Error('outbox not drained');
      if (result.posts === 0 && result.retried === 0) await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const perChannel = [...posts.values()].map((times) => times.length);
    const totalPosts = perChannel.reduce((a, b) => a + b, 0);
    const maxPerMinute = Math.max(
      ...[...posts.values()].map((times) =>
        Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length)),
      ),
    );

    // Baseline: the same number of posts straight to the receiver, 8 at a time, nothing recorded.
    const post = httpPoster();
    const baselineStart = performance.now();
    for (let i = 0; i < totalPosts; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, totalPosts - i) }, (_, k) =>
          post({
            kind: 'wecom',
            credentials: { webhookUrl: `${receiver}?key=baseline-${(i + k) % UNITS}` },
            message: { title: 't', markdown: 'baseline' },
            mentionMobiles: [],
            deliveryId: `b${i + k}`,
            notices: [],
            now: new Date(),
          }),
        ),
      );
    }
    const baseline = (performance.now() - baselineStart) / 1000;
    const ratio = seconds / baseline;
    console.log(
      [
        `delivery: ${NOTICES} notices for ${UNITS} units -> ${totalPosts} posts to ${perChannel.length} groups in ${seconds.toFixed(2)} s (${runs} runs; target <= ${TARGET_SECONDS} s: ${seconds <= TARGET_SECONDS ? 'met' : 'MISSED'})`,
        `  posts per group: min ${Math.min(...perChannel)}, max ${Math.max(...perChannel)}; most posts to one robot in any minute: ${maxPerMinute} (limit 20)`,
        `  baseline (the same posts, no claims): ${baseline.toFixed(2)} s; delivery / baseline = ${ratio.toFixed(1)}x`,
      ].join('\n'),
    );
    return { seconds, ratio };
  } finally {
    await engine.stop();
    server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchDelivery().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
