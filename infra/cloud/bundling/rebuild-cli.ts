/**
 * Rebuilds a function's bundle with esbuild's JS API, which CDK's NodejsFunction cannot call
 * (it takes no esbuild plugins): run by AppFunction's afterBundling hook, it overwrites the
 * asset's index.mjs (and its map) with the same build plus the project's plugins
 * (function-build.ts: zod's unused locales and modules, the calendar's names, and for the API
 * function the OpenAPI generator, left out).
 *
 *   tsx infra/cloud/bundling/rebuild-cli.ts <repoRoot> <entry> <outfile> <external,comma,separated> [no-openapi-generator]
 */
import { build } from 'esbuild';
import { functionBuildOptions } from './function-build.js';

const [root, entry, outfile, external = '', flag] = process.argv.slice(2);
if (root === undefined || entry === undefined || outfile === undefined) {
  console.error('usage: rebuild-cli.ts <repoRoot> <entry> <outfile> [external,...] [no-openapi-generator]');
  process.exit(2);
}
if (flag !== undefined && flag !== 'no-openapi-generator') {
  console.error(`rebuild-cli.ts: unknown flag ${flag}`);
  process.exit(2);
}
const result = await build(
  functionBuildOptions({
    root,
    entry,
    outfile,
    external: external.split(',').filter((e) => e.length > 0),
    openApiGenerator: flag !== 'no-openapi-generator',
  }),
);
if (result.errors.length > 0 || result.warnings.some((w) => w.pluginName === 'zod-locales')) {
  console.error(JSON.stringify([...result.errors, ...result.warnings]));
  process.exit(1);
}
