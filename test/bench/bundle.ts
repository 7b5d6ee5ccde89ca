/**
 * Bundle size and a cold-start proxy for the API Lambda. Bundles functions/api/handler.ts with the
 * options of the CDK function (infra/cloud/constructs/app-function.ts), with the AWS SDK external
 * (as deployed: the Node.js 22 runtime ships it) and bundled, each with and without the zod locales
 * plugin, then times `import()` of each bundle in fresh `node` processes. Prints figures only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { zodLocalesPlugin } from '../../infra/cloud/bundling/zod-locales.js';
import { median, table } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = join(ROOT, '.bench-out');
const HANDLER_ENTRY = 'functions/api/handler.ts';
/**
 * What infra/cloud/duban-stack.ts passes as the API function's `lazyModules`: left out of the bundle
 * (shipped beside it, loaded by `await import()` on a rare path) whether or not the SDK is bundled.
 */
const API_LAZY_MODULES = ['exceljs'];
const LOAD_RUNS = 5;
const CHILD_TIMEOUT_MS = 30_000;
export const SIZE_TARGET_KIB = 400;
export const LOAD_TARGET_MS = 100;

interface Variant {
  sdk: 'external' | 'bundled';
  zodFix: boolean;
}

const VARIANTS: readonly Variant[] = [
  { sdk: 'external', zodFix: false },
  { sdk: 'external', zodFix: true },
  { sdk: 'bundled', zodFix: false },
  { sdk: 'bundled', zodFix: true },
];

const label = (v: Variant) => `SDK ${v.sdk}, ${v.zodFix ? 'en + zh-CN locales only' : 'all zod locales'}`;
const slug = (v: Variant) => `api-handler-sdk-${v.sdk}-${v.zodFix ? 'zod-fix' : 'zod-full'}`;

/** The NodejsFunction `bundling` of app-function.ts, as esbuild JS API options. */
function lambdaBuildOptions(entry: string, variant: Variant, outfile: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    external: [...(variant.sdk === 'external' ? ['@aws-sdk/*'] : []), ...API_LAZY_MODULES],
    plugins: variant.zodFix ? [zodLocalesPlugin()] : [],
    metafile: true,
    logLevel: 'warning',
  };
}

interface Bundle {
  variant: Variant;
  file: string;
  bytes: number;
  localeFiles: number;
  localeBytes: number;
}

async function bundle(entry: string, variant: Variant): Promise<Bundle> {
  const dir = join(OUT_DIR, slug(variant));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build(lambdaBuildOptions(entry, variant, file));
  const locales = localeInputs(result.metafile);
  return { variant, file, bytes: statSync(file).size, ...locales };
}

function localeInputs(metafile: Metafile | undefined): { localeFiles: number; localeBytes: number } {
  let localeFiles = 0;
  let localeBytes = 0;
  for (const output of Object.values(metafile?.outputs ?? {})) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (/zod\/v4\/locales\/(?!index\.js$)/.test(input) && bytesInOutput > 0) {
        localeFiles++;
        localeBytes += bytesInOutput;
      }
    }
  }
  return { localeFiles, localeBytes };
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

/** Times `import()` of `file` in a fresh node process, `LOAD_RUNS` times. */
function loadTimes(file: string, nodeFlags: readonly string[] = []): number[] {
  const times: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run++) {
    const child = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', CHILD_SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
      // A clean environment (no real credentials, no NODE_OPTIONS): what config parsing needs, and
      // every endpoint on a closed loopback port, so nothing reached for at load can leave the machine.
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_IMPORT_URL: pathToFileURL(file).href,
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
    times.push(parsed.ms);
  }
  return times;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Builds every variant, prints sizes and load times against the targets. */
export async function benchBundle(print: (line: string) => void): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });

  const handlers: Bundle[] = [];
  for (const variant of VARIANTS) handlers.push(await bundle(HANDLER_ENTRY, variant));
  print(
    `${HANDLER_ENTRY} bundled as app-function.ts does: node22, esm, minified, createRequire banner, ` +
      `lazy modules external (${API_LAZY_MODULES.join(', ')})`,
  );
  print('(sizes are of index.mjs alone; the source map is a separate file)');
  print('');
  print(
    table(
      ['bundle', 'bytes', 'KiB', 'zod locales', 'locale KiB'],
      handlers.map((b) => [
        label(b.variant),
        String(b.bytes),
        kib(b.bytes),
        String(b.localeFiles),
        kib(b.localeBytes),
      ]),
    ),
  );
  const deployed = handlers.find((b) => b.variant.sdk === 'external' && b.variant.zodFix);
  const unfixed = handlers.find((b) => b.variant.sdk === 'external' && !b.variant.zodFix);
  if (deployed && unfixed) {
    print('');
    print(
      `target: <= ${SIZE_TARGET_KIB} KiB minified with the SDK external -> ` +
        `without the fix ${kib(unfixed.bytes)} KiB ${verdict(unfixed.bytes <= SIZE_TARGET_KIB * 1024)}, ` +
        `with it ${kib(deployed.bytes)} KiB ${verdict(deployed.bytes <= SIZE_TARGET_KIB * 1024)}`,
    );
  }

  print('');
  print(
    `Module load time: \`await import()\` of each bundle above, timed inside a fresh \`node\` ` +
      `${process.version} process (no network: config from dummy env, endpoints on a closed loopback ` +
      `port), median of ${LOAD_RUNS}`,
  );
  print('');
  const rows: string[][] = [];
  const row = (name: string, b: Bundle, times: readonly number[]) => [
    name,
    kib(b.bytes),
    median(times).toFixed(1),
    Math.min(...times).toFixed(1),
    Math.max(...times).toFixed(1),
  ];
  let deployedLoad: number | undefined;
  for (const b of handlers) {
    const times = loadTimes(b.file);
    rows.push(row(label(b.variant), b, times));
    if (b.variant.sdk === 'external' && b.variant.zodFix) {
      deployedLoad = median(times);
      // The function runs with NODE_OPTIONS=--enable-source-maps (app-function.ts), which reads the map.
      rows.push(
        row(`${label(b.variant)}, --enable-source-maps`, b, loadTimes(b.file, ['--enable-source-maps'])),
      );
    }
  }
  print(table(['bundle', 'KiB', 'median ms', 'min ms', 'max ms'], rows));
  if (deployedLoad !== undefined) {
    print('');
    print(
      `target: load <= ${LOAD_TARGET_MS} ms (SDK external, locales fixed) -> ` +
        `${deployedLoad.toFixed(1)} ms ${verdict(deployedLoad <= LOAD_TARGET_MS)}`,
    );
  }
}
