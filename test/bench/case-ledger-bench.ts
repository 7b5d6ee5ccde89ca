/**
 * 控辍保学 at county scale: `npx tsx test/bench/case-ledger-bench.ts`. Against an in-memory DynamoDB
 * Local: 5,000 open cases in 20 townships × 5 schools (seeded with BatchWriteItem in the
 * repository's shape). The ledger read (K4 open cases + returns this semester, standing and lights
 * computed, names of units read) against a bare Query of the same open cases; then the case sweep
 * (K5: only the cases whose escalation day has come — 500 of them — each read again, its notices
 * written, its day moved) against a bare Query of the same due items. Prints items read, time and
 * the ratio to the bare Query measured in the same run; nothing is asserted. The sweep's calls and
 * time include its writes (notices, audit events, the moved K5 day), which the bare Query has not.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { type CaseRecord, caseRepository } from '../../shared/db/case-repository.js';
import { createDocumentClient } from '../../shared/db/client.js';
import {
  CASE_SWEEP_PK,
  COUNTY_CASES_PK,
  caseIndexKeys,
  caseKey,
  OPEN_CASE_PREFIX,
} from '../../shared/db/keys.js';
import { queryAll } from '../../shared/db/query.js';
import { INDEX_OPEN_BY_DUE, INDEX_SWEEP_BY_NEXT_ACTION } from '../../shared/db/table.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { addDays } from '../../shared/domain/time/zoned-time.js';
import { createFieldCipher, fieldKeys } from '../../shared/privacy/field-cipher.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { caseSweeper } from '../../shared/services/case-sweep.js';
import { createServices } from '../../shared/services/index.js';
import { readCountingClient, writeAll } from './seed.js';
import { median, table } from './stats.js';

const TABLE_NAME = 'duban-case-bench';
const TOWNSHIPS = 20;
const SCHOOLS_PER_TOWNSHIP = 5;
const CASES = 5_000;
const DUE = 500;
const RUNS = 3;
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
/** Wednesday 20 May 2026, 10:00 in Shanghai. */
const NOW = new Date('2026-05-20T02:00:00.000Z');
const TODAY = '2026-05-20';

const print = (line: string) => console.log(line);
const ms = (v: number) => `${v.toFixed(1)} ms`;

function* caseItems(): Generator<Record<string, unknown>> {
  for (let i = 0; i < CASES; i++) {
    const t = i % TOWNSHIPS;
    const s = Math.floor(i / TOWNSHIPS) % SCHOOLS_PER_TOWNSHIP;
    const id = `case-bench-${String(i).padStart(5, '0')}`;
    const r: CaseRecord = {
      id,
      schoolUnitId: `school-${t}-${s}`,
      townshipUnitId: `town-${t}`,
      gender: i % 2 === 0 ? 'male' : 'female',
      age: 12,
      grade: '七年级',
      className: `${(i % 8) + 1}班`,
      groups: { registeredPoor: i % 7 === 0, monitored: i % 11 === 0, disabled: false, homeTeaching: false },
      teacher: { name: '王老师', phone: '13900001111' },
      leader: { name: '李校长', phone: '13900002222' },
      firstDayAbsent: addDays(TODAY, -(5 + (i % 60))),
      returnedOn: null,
      returnEvidence: null,
      registryUpdatedOn: null,
      stepsDone: i % 3 === 0 ? { contact: addDays(TODAY, -3) } : {},
      // Ciphertext is never opened by the ledger or the sweep: placeholders of a realistic size.
      sealed: {
        childName: 'x'.repeat(60),
        guardianName: 'x'.repeat(60),
        guardianPhone: 'x'.repeat(64),
        birthYearMonth: null,
        registryNumber: null,
        village: null,
      },
      masked: { childName: '张*明', guardianPhone: '138****5678', registryNumber: null },
      createdAt: NOW.toISOString(),
      createdBy: 'bench',
      version: 1,
      nextEscalationOn: i < DUE ? addDays(TODAY, -1) : addDays(TODAY, 40),
    };
    yield { ...caseKey(id), ...caseIndexKeys(r), entity: 'Case', ...r };
  }
}

async function main() {
  const [load1 = 0] = loadavg();
  print(`node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) ${load1.toFixed(2)}`);
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  try {
    const tables = await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, counter } = readCountingClient(real);
    const ref = { doc, ...tables };
    const services = createServices(ref, {
      fieldCipher: createFieldCipher(fieldKeys({ id: 'bench', key: new Uint8Array(32).fill(3) })),
    });
    await services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'county', name: '县教体局', kind: 'bureau' }),
      NOW,
    );
    for (let t = 0; t < TOWNSHIPS; t++) {
      await services.units.create(
        OFFICE,
        CreateUnitSchema.parse({
          id: `town-${t}`,
          name: `第${t + 1}镇`,
          kind: 'township',
          parentId: 'county',
        }),
        NOW,
      );
      for (let s = 0; s < SCHOOLS_PER_TOWNSHIP; s++) {
        await services.units.create(
          OFFICE,
          CreateUnitSchema.parse({
            id: `school-${t}-${s}`,
            name: `第${t + 1}镇第${s + 1}校`,
            kind: 'school',
            parentId: `town-${t}`,
          }),
          NOW,
        );
      }
    }
    const seeded = await writeAll(real, tables.tableName, caseItems());
    print(
      `seeded ${seeded} open cases (${TOWNSHIPS} townships × ${SCHOOLS_PER_TOWNSHIP} schools), ${DUE} due for the sweep`,
    );

    const measure = async (run: () => Promise<unknown>) => {
      counter.items = 0;
      counter.calls = 0;
      counter.counting = true;
      const t0 = performance.now();
      await run();
      const elapsed = performance.now() - t0;
      counter.counting = false;
      return { ms: elapsed, items: counter.items, calls: counter.calls };
    };
    const bareOpen = () =>
      queryAll(doc, {
        TableName: tables.tableName,
        IndexName: INDEX_OPEN_BY_DUE.name,
        KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :open)',
        ExpressionAttributeValues: { ':pk': COUNTY_CASES_PK, ':open': OPEN_CASE_PREFIX },
      });
    const bareDue = () =>
      queryAll(doc, {
        TableName: tables.tableName,
        IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
        ExpressionAttributeValues: { ':pk': CASE_SWEEP_PK, ':upTo': `${TODAY}#~` },
      });

    // Warm-up (not counted): the JIT, the SDK's sockets, the engine.
    await bareOpen();
    await services.caseLedger.read(OFFICE, {}, NOW);

    const ledgerRuns = [];
    const bareRuns = [];
    for (let i = 0; i < RUNS; i++) {
      bareRuns.push(await measure(bareOpen));
      ledgerRuns.push(await measure(() => services.caseLedger.read(OFFICE, {}, NOW)));
    }
    const bareDueRun = await measure(bareDue);
    const sweeper = caseSweeper({ cases: caseRepository(ref), table: ref });
    let outcome: Awaited<ReturnType<typeof sweeper.sweep>> | undefined;
    const errors: string[] = [];
    const sweepRun = await measure(async () => {
      outcome = await sweeper.sweep(OFFICE, NOW, createWorkingCalendar([]), (err, id) =>
        errors.push(`${id}: ${String(err)}`),
      );
    });

    const ledgerMs = median(ledgerRuns.map((r) => r.ms));
    const bareMs = median(bareRuns.map((r) => r.ms));
    print(
      table(
        ['what', 'items read', 'DynamoDB calls', 'time', 'bare Query items', 'bare Query time', 'time ratio'],
        [
          [
            `ledger read (median of ${RUNS})`,
            String(ledgerRuns[0]?.items ?? 0),
            String(ledgerRuns[0]?.calls ?? 0),
            ms(ledgerMs),
            String(bareRuns[0]?.items ?? 0),
            ms(bareMs),
            `${(ledgerMs / bareMs).toFixed(2)}×`,
          ],
          [
            'case sweep (once)',
            String(sweepRun.items),
            String(sweepRun.calls),
            ms(sweepRun.ms),
            String(bareDueRun.items),
            ms(bareDueRun.ms),
            `${(sweepRun.ms / bareDueRun.ms).toFixed(2)}×`,
          ],
        ],
      ),
    );
    print(
      `sweep: examined ${outcome?.examined ?? 0}, index items ${outcome?.itemsRead ?? 0}, notices written ${outcome?.written ?? 0}, failed ${outcome?.failed ?? 0}` +
        (errors.length > 0 ? `; first error ${errors[0]}` : ''),
    );
    print(
      'items read: every item DynamoDB returned (Query, GetItem, BatchGetItem). The sweep also reads each due case again (consistent GetItem) before writing its notices.',
    );
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

await main();
