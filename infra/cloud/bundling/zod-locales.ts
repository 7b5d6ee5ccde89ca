import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/** The zod locales the app uses: `en` (zod's default) and `zh-CN` (shared/schemas/common.ts). */
export const APP_ZOD_LOCALES: readonly string[] = ['en', 'zh-CN'];

// zod/v4/classic/external.js and zod/v4/core/index.js both `export * as locales from
// "../locales/index.js"`. @hono/zod-openapi passes the `z` namespace around as a value, so esbuild
// must keep every export of it and cannot tree-shake the ~50 locales (~250 KB minified).
const LOCALE_INDEX = /^\.\.\/locales\/index\.js$/;
const ZOD_IMPORTER = /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/;
const LOCALE_EXPORT = /^export \{ default as \w+ \} from "\.\/([\w-]+)\.js";$/;

/**
 * esbuild plugin that replaces zod's locale index with one re-exporting only `keep` (file names
 * such as `zh-CN`), so `z.locales` in the bundle holds just those. Anything else reading
 * `z.locales.<other>` would get `undefined`; the app selects its locale by importing
 * `zod/v4/locales/zh-CN.js` directly, and zod's default `en` is imported directly by zod itself.
 * The build fails if a kept locale is missing; if the plugin never applied (zod's layout changed),
 * it adds a warning to the build result.
 *
 * CDK's NodejsFunction cannot take esbuild plugins (its `esbuildArgs` are CLI flags, and esbuild's
 * `alias` refuses relative paths such as `../locales/index.js`), so functions bundled with this
 * plugin need their own esbuild JS API build, e.g. through `lambda.Code.fromCustomCommand`.
 */
export function zodLocalesPlugin(keep: readonly string[] = APP_ZOD_LOCALES): Plugin {
  return {
    name: 'zod-locales',
    setup(build) {
      let replaced = 0;
      build.onStart(() => {
        replaced = 0;
      });
      build.onResolve({ filter: LOCALE_INDEX }, (args) => {
        if (!ZOD_IMPORTER.test(args.importer)) return undefined;
        replaced++;
        return { path: join(args.resolveDir, args.path), namespace: 'zod-locales' };
      });
      build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => {
        const kept = readFileSync(args.path, 'utf8')
          .split('\n')
          .filter((line) => {
            const file = LOCALE_EXPORT.exec(line.trim())?.[1];
            return file !== undefined && keep.includes(file);
          });
        if (kept.length !== keep.length) {
          return { errors: [{ text: `zod-locales: expected ${keep.join(', ')} in ${args.path}` }] };
        }
        return { contents: kept.join('\n'), resolveDir: dirname(args.path), loader: 'js' };
      });
      build.onEnd((result) => {
        if (replaced === 0 && result.errors.length === 0) {
          result.warnings.push({
            id: 'zod-locales',
            pluginName: 'zod-locales',
            text: "zod-locales: zod's locale index was never imported; the plugin did nothing",
            location: null,
            notes: [],
            detail: undefined,
          });
        }
      });
    },
  };
}
