/**
 * Bundle size and a cold-start proxy for the Lambda functions behind the HTTP API. Bundles each
 * entry with the options the CDK build uses (infra/cloud/bundling/function-build.ts: node22, ESM,
 * minified, source maps, the AWS SDK external as the Node.js 22 runtime ships it, lazy modules
 * external), and a baseline — a bare Hono + lib-dynamodb handler (baseline-handler.ts) — the same
 * way; then times `import()` of each bundle in fresh `node` processes, the bundles taking turns so
 * a busy moment of the machine hits them alike. Prints figures and ratios only.
 *
 *   npx tsx test/bench/bundle.ts        (or the "Bundle" section of `npm run bench`)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functionBuildOptions } from '../../infra/cloud/bundling/function-build.js';
import { median, table } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = join(ROOT, '.bench-out', 'bundles');
const LOAD_RUNS = 7;
const CHILD_TIMEOUT_MS = 30_000;
export const SIZE_TARGET_KIB = 400;
/** Module load of the API function against the baseline's, measured in the same run. */
export const LOAD_TARGET_RATIO = 2;

interface Entry {
  name: string;
  entry: string;
  /** What infra/cloud/duban-stack.ts passes as the function's `lazyModules`. */
  lazyModules: readonly string[];
  /** False for a function built without the OpenAPI generator (duban-stack.ts `openApiGenerator`). */
  openApiGenerator?: boolean;
}

const BASELINE: Entry = {
  name: 'baseline: Hono + lib-dynamodb',
  entry: 'test/bench/baseline-handler.ts',
  lazyModules: [],
};
/** The function the targets are about: what a unit's phone calls. */
const API: Entry = {
  name: 'API (/v1, /health)',
  entry: 'functions/api/handler.ts',
  lazyModules: ['exceljs'],
  openApiGenerator: false,
};
/** The pages, their sign-in and the API docs: every other path (functions/site/). */
const SITE: Entry = {
  name: 'site (pages, sign-in, docs)',
  entry: 'functions/site/handler.ts',
  lazyModules: ['exceljs'],
};
const ENTRIES: readonly Entry[] = [BASELINE, API, SITE];

interface Bundle {
  entry: Entry;
  file: string;
  bytes: number;
  /** Bytes in the bundle by package (or by top folder of the repository). */
  byPackage: Map<string, number>;
}

async function bundle(entry: Entry): Promise<Bundle> {
  const dir = join(OUT_DIR, entry.entry.replace(/[/.]/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build({
    ...functionBuildOptions({
      root: ROOT,
      entry: join(ROOT, entry.entry),
      outfile: file,
      external: ['@aws-sdk/*', ...entry.lazyModules],
      ...(entry.openApiGenerator === false ? { openApiGenerator: false } : {}),
    }),
    metafile: true,
    // The baseline has no zod: the zod plugins' "did nothing" warnings say nothing here.
    logLevel: 'error',
  });
  return { entry, file, bytes: statSync(file).size, byPackage: bytesByPackage(result.metafile, file) };
}

function bytesByPackage(metafile: Metafile, file: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const output = Object.entries(metafile.outputs).find(([path]) => join(ROOT, path) === file)?.[1];
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const key = pkg ?? input.replace(/^.*?:/, '').split('/').slice(0, 2).join('/');
    sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
  }
  return sizes;
}

// Runs in the child: only the import is timed, not node's own start-up.
const CHILD_SCRIPT = `
const url = process.env.BENCH_IMPORT_URL;
const t0 = performance.now();
await import(url);
const elapsed = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms: elapsed }));
process.exit(0);
`;

/** Times one `import()` of `file` in a fresh node process. */
function loadOnce(file: string, nodeFlags: readonly string[]): number {
  const child = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', CHILD_SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    // A clean environment (no real credentials, no NODE_OPTIONS): what config parsing needs, and
    // every endpoint on a closed loopback port, so nothing reached for at load can leave the machine.
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_IMPORT_URL: pathToFileURL(file).href,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: 'duban-bench',
      AUDIT_TABLE_NAME: 'duban-bench-audit',
      AWS_REGION: 'us-east-1',
      DUBAN_OIDC_ISSUER: 'https://127.0.0.1:1/bench-issuer',
      DUBAN_OIDC_AUDIENCE: 'duban-bench',
      DUBAN_OIDC_CLIENT_ID: 'duban-bench',
      DUBAN_OIDC_REDIRECT_URI: 'https://127.0.0.1:1/signin/callback',
      EVIDENCE_BUCKET: 'duban-bench-evidence',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    },
  });
  if (child.error || child.status !== 0) {
    // Node echoes the failing source line, which in a minified bundle is the whole bundle.
    const stderr = child.stderr
      .split('\n')
      .filter((line) => line.length <= 500)
      .join('\n')
      .trim();
    throw new Error(`Loading ${file} failed (${child.error?.message ?? child.status}): ${stderr}`);
  }
  const parsed: unknown = JSON.parse(child.stdout);
  if (typeof parsed !== 'object' || parsed === null || !('ms' in parsed) || typeof parsed.ms !== 'number') {
    throw new Error(`Unexpected output from the load-time child: ${child.stdout}`);
  }
  return parsed.ms;
}

/** Median load time of each bundle, `LOAD_RUNS` rounds in which every bundle loads once. */
function loadTimes(bundles: readonly Bundle[], nodeFlags: readonly string[]): Map<Bundle, number[]> {
  const times = new Map<Bundle, number[]>(bundles.map((b) => [b, []]));
  for (let run = 0; run < LOAD_RUNS; run++) {
    for (const b of bundles) times.get(b)?.push(loadOnce(b.file, nodeFlags));
  }
  return times;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Builds every entry, prints sizes and load times against the baseline and the targets. */
export async function benchBundle(print: (line: string) => void): Promise<void> {
  const bundles: Bundle[] = [];
  for (const entry of ENTRIES) bundles.push(await bundle(entry));
  const [baseline, api] = bundles;
  if (baseline === undefined || api === undefined) throw new Error('no bundles built');

  print(
    'Bundled as the CDK build does (function-build.ts): node22, esm, minified, utf-8, AWS SDK external, ' +
      "zod's unused locales and modules and the calendar's names left out; the API also without the OpenAPI generator",
  );
  print('(sizes are of index.mjs alone; the source map and lazy modules are separate files)');
  print('');
  print(
    table(
      ['bundle', 'entry', 'KiB'],
      bundles.map((b) => [b.entry.name, b.entry.entry, kib(b.bytes)]),
    ),
  );
  print('');
  for (const b of bundles) {
    const largest = [...b.byPackage]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8)
      .map(([name, bytes]) => `${name} ${kib(bytes)}`);
    print(`${b.entry.name}, largest parts (KiB): ${largest.join(', ')}`);
  }
  print('');
  print(
    `target: API bundle <= ${SIZE_TARGET_KIB} KiB -> ${kib(api.bytes)} KiB ` +
      `${verdict(api.bytes <= SIZE_TARGET_KIB * 1024)}`,
  );

  print('');
  print(
    `Module load: \`await import()\` of each bundle in a fresh \`node\` ${process.version} process (no network: ` +
      `config from dummy env, endpoints on a closed loopback port), median of ${LOAD_RUNS}, bundles taking turns`,
  );
  print('');
  const rows: string[][] = [];
  const ratios: string[] = [];
  // The functions run with NODE_OPTIONS=--enable-source-maps (app-function.ts); both ways shown.
  for (const flags of [[], ['--enable-source-maps']]) {
    const times = loadTimes(bundles, flags);
    const base = median(times.get(baseline) ?? []);
    for (const b of bundles) {
      const t = times.get(b) ?? [];
      rows.push([
        b.entry.name,
        flags.join(' ') || '(none)',
        median(t).toFixed(1),
        Math.min(...t).toFixed(1),
        Math.max(...t).toFixed(1),
        `${(median(t) / base).toFixed(2)}x`,
      ]);
    }
    const ratio = median(times.get(api) ?? []) / base;
    ratios.push(
      `${flags.join(' ') || 'no flags'}: ${ratio.toFixed(2)}x ${verdict(ratio <= LOAD_TARGET_RATIO)}`,
    );
  }
  print(table(['bundle', 'node flags', 'median ms', 'min ms', 'max ms', 'vs baseline'], rows));
  print('');
  print(`target: API load <= ${LOAD_TARGET_RATIO}x the baseline's -> ${ratios.join('; ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchBundle((line) => console.log(line));
}
