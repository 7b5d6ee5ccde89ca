/**
 * /openapi.json is a valid OpenAPI document: Redocly's recommended rules find no problem, every
 * operation has a stable operationId, and a client generated from it (openapi-typescript types,
 * openapi-fetch calls) type-checks and talks to the real app over HTTP on loopback.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type ServerType, serve } from '@hono/node-server';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_IDS } from '../../functions/api/openapi.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { OFFICE, TEST_SECRET, testApp } from '../fixtures/app.js';

const ROOT = resolve(import.meta.dirname, '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  operationId?: string;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('/openapi.json', () => {
  let api: Awaited<ReturnType<typeof testApp>>;
  let server: ServerType;
  let baseUrl: string;
  let doc: Doc;
  const dir = mkdtempSync(join(tmpdir(), 'duban-openapi-'));

  beforeAll(async () => {
    api = await testApp();
    server = await new Promise<ServerType>((ok) => {
      const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
    });
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Doc;
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server?.close(() => ok()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every operation a unique camelCase operationId from the one table', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, id: op.operationId })),
    );
    expect(operations.filter((o) => o.id === undefined).map((o) => o.key)).toEqual([]);
    const ids = operations.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z]+$/);
    // No entry of the table names an operation that does not exist (a renamed path would leave one).
    expect(Object.keys(OPERATION_IDS).sort()).toEqual(operations.map((o) => o.key).sort());
  });

  it("passes Redocly's recommended rules with no problem (offline, the committed config)", async () => {
    const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const run = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', join(dir, 'openapi.json')],
      {
        cwd: ROOT,
        // No telemetry and no update check: the lint makes no network call.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', CI: 'true' },
      },
    ).catch((err: { stdout: string; stderr: string }) => err);
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number };
      problems: unknown[];
    };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('generates a typed client that type-checks and makes real calls', async () => {
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(doc as never)));
    // The calls, typed against the generated paths. openapi-fetch is passed in, so the module only
    // imports types and runs from the temporary folder as it is.
    writeFileSync(
      join(dir, 'calls.ts'),
      `import type createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export async function calls(create: typeof createClient, baseUrl: string, token: string) {
  const client = create<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  const created = await client.POST('/v1/units', { body: { id: 'edu-typed', name: '县教育体育局', kind: 'bureau' } });
  const unitId: string | undefined = created.data?.id;
  const got = await client.GET('/v1/units/{unitId}', { params: { path: { unitId: unitId ?? '' } } });
  const page = await client.GET('/v1/units', { params: { query: { limit: 10 } } });
  const missing = await client.GET('/v1/units/{unitId}', { params: { path: { unitId: 'no-such-unit' } } });
  const bad = await client.POST('/v1/units', { body: { name: '', kind: 'bureau' } });
  return {
    created: created.response.status,
    name: got.data?.name,
    active: got.data?.active,
    listed: page.data?.items.map((u) => u.id),
    missing: [missing.response.status, missing.error?.error.code],
    bad: [bad.response.status, bad.error?.error.code],
  };
}
`,
    );
    const program = ts.createProgram([join(dir, 'calls.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: [],
      baseUrl: ROOT,
      paths: { 'openapi-fetch': ['node_modules/openapi-fetch'] },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    const { calls } = (await import(join(dir, 'calls.ts'))) as {
      calls: (create: typeof createClient, baseUrl: string, token: string) => Promise<unknown>;
    };
    expect(await calls(createClient, baseUrl, await issueHs256Token(TEST_SECRET, OFFICE))).toEqual({
      created: 201,
      name: '县教育体育局',
      active: true,
      listed: ['edu-typed'],
      missing: [404, 'not_found'],
      bad: [400, 'validation_failed'],
    });
  }, 120_000);
});
