import type { BuildOptions } from 'esbuild';
import { calendarDatesPlugin, openApiGeneratorLeftOutPlugin, zodUnusedPlugin } from './trim-plugins.js';
import { zodLocalesPlugin } from './zod-locales.js';

/** The banner that gives bundled CommonJS dependencies the `require` that ESM lacks. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every function is bundled: Node.js 22 ESM, minified, with source maps, the AWS SDK left to
 * the runtime, only the zod locales the app uses, none of the zod modules it never reaches, the
 * official calendar's dates without their names, and UTF-8 output (the Chinese text is half the
 * bytes it takes as `\uXXXX` escapes). A function that never serves the OpenAPI document
 * (`openApiGenerator: false`, the API function) also leaves out its generator. One definition for
 * the CDK asset (through rebuild-cli.ts) and for the bundle benchmark, so what is measured is what
 * is deployed.
 */
export function functionBuildOptions(args: {
  root: string;
  entry: string;
  outfile: string;
  external: readonly string[];
  /** @default true */
  openApiGenerator?: boolean;
}): BuildOptions {
  return {
    absWorkingDir: args.root,
    entryPoints: [args.entry],
    outfile: args.outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    charset: 'utf8',
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...args.external],
    plugins: [
      zodLocalesPlugin(),
      zodUnusedPlugin(),
      calendarDatesPlugin(),
      ...(args.openApiGenerator === false ? [openApiGeneratorLeftOutPlugin()] : []),
    ],
    logLevel: 'warning',
  };
}
