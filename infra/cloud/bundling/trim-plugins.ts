import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

/**
 * esbuild plugins that leave out of a function's bundle code it can never run, each for a reason
 * measured in test/bench/bundle.ts (the API function's bundle is what a phone's first call after a
 * cold start loads). Each fails the build, rather than quietly doing nothing, when the package it
 * edits changed shape.
 */

// The zod modules nothing here reaches: `z.core.compile` / `z.compile` (zod's ahead-of-time
// parser) and `z.fromJSONSchema`. @hono/zod-openapi passes the whole `z` namespace around as a
// value, so esbuild must keep every export of it, these ~40 KiB included.
const ZOD_UNUSED =
  /[\\/]node_modules[\\/]zod[\\/]v4[\\/](core[\\/]compile|classic[\\/]from-json-schema)\.js$/;
const EXPORT_DECLARATION = /^export (?:const|let|var|function\*?|async function|class) ([\w$]+)/gm;

/**
 * The module text that stands in for `source`: the same exported names, each a function that
 * throws, so a call that was never expected fails loudly. Every export of `source` must be a plain
 * declaration (`export function f`, `export const c` …): any other form fails the build.
 */
export function throwingStandIn(source: string, what: string): { contents: string } | { error: string } {
  const names = [...source.matchAll(EXPORT_DECLARATION)].map((match) => match[1]);
  const exportLines = source.split('\n').filter((line) => line.startsWith('export ')).length;
  if (names.length === 0 || names.length !== exportLines) {
    return { error: `cannot stand in for ${what}: its exports are not all plain declarations` };
  }
  const message = JSON.stringify(`${what} is left out of this bundle (infra/cloud/bundling/trim-plugins.ts)`);
  const contents = [
    `const left = () => { throw new Error(${message}); };`,
    ...names.map((name) => `export const ${name} = left;`),
  ].join('\n');
  return { contents };
}

/** Replaces zod's ahead-of-time compiler and its JSON Schema importer with throwing stand-ins. */
export function zodUnusedPlugin(): Plugin {
  return {
    name: 'zod-unused',
    setup(build) {
      build.onLoad({ filter: ZOD_UNUSED }, (args) => {
        const result = throwingStandIn(readFileSync(args.path, 'utf8'), args.path);
        return 'error' in result ? { errors: [{ text: result.error }] } : { ...result, loader: 'js' };
      });
    },
  };
}

const ZOD_TO_OPENAPI = /^@asteasolutions\/zod-to-openapi$/;
const HONO_ZOD_OPENAPI = /[\\/]node_modules[\\/]@hono[\\/]zod-openapi[\\/]/;
/** What @hono/zod-openapi imports from zod-to-openapi; the generators are what this plugin drops. */
const KEPT_EXPORTS = ['OpenAPIRegistry', 'extendZodWithOpenApi', 'getOpenApiMetadata'];
const GENERATORS = ['OpenApiGeneratorV3', 'OpenApiGeneratorV31'];

/**
 * For a function that never serves the OpenAPI document (the API function: the site function
 * serves `/openapi.json`): @hono/zod-openapi's import of zod-to-openapi gets the route registry
 * and the `.openapi()` schema extension it needs to declare routes, and generators that throw, so
 * the document generator (~22 KiB) is left out. `getOpenAPIDocument()` there fails loudly.
 */
export function openApiGeneratorLeftOutPlugin(): Plugin {
  return {
    name: 'openapi-generator-left-out',
    setup(build) {
      let applied = false;
      build.onResolve({ filter: ZOD_TO_OPENAPI }, (args) => {
        if (!HONO_ZOD_OPENAPI.test(args.importer)) return undefined;
        const imports = readFileSync(args.importer, 'utf8').match(
          /import \{([^}]*)\} from "@asteasolutions\/zod-to-openapi"/,
        );
        const names = imports?.[1]?.split(',').map((name) => name.trim()) ?? [];
        const expected = [...KEPT_EXPORTS, ...GENERATORS].sort();
        if (names.sort().join() !== expected.join()) {
          return {
            errors: [
              {
                text: `@hono/zod-openapi imports ${names.join(', ')} from zod-to-openapi, not ${expected.join(', ')}`,
              },
            ],
          };
        }
        applied = true;
        return {
          path: 'zod-to-openapi',
          namespace: 'openapi-generator-left-out',
          pluginData: args.resolveDir,
        };
      });
      build.onLoad({ filter: /.*/, namespace: 'openapi-generator-left-out' }, (args) => {
        const message = JSON.stringify(
          'The OpenAPI generator is left out of this function; the site function serves /openapi.json',
        );
        const contents = [
          `export { ${KEPT_EXPORTS.join(', ')} } from '@asteasolutions/zod-to-openapi';`,
          ...GENERATORS.map(
            (name) => `export class ${name} { constructor() { throw new Error(${message}); } }`,
          ),
        ].join('\n');
        return { contents, loader: 'js', resolveDir: args.pluginData as string };
      });
      build.onEnd((result) => {
        if (!applied && result.errors.length === 0) {
          result.errors.push({
            id: 'openapi-generator-left-out',
            pluginName: 'openapi-generator-left-out',
            text: '@hono/zod-openapi never imported zod-to-openapi: nothing was left out',
            location: null,
            notes: [],
            detail: undefined,
          });
        }
      });
    },
  };
}

const CHINESE_DAYS_DATA = /[\\/]node_modules[\\/]chinese-days[\\/]dist[\\/]chinese-days\.json$/;

/**
 * The dates of the official schedule without the holidays' names and the in-lieu days: all that
 * shared/domain/calendar/working-calendar.ts reads (the keys of `holidays` and `workdays`). The
 * names are most of the file's 43 KiB.
 */
export function calendarDates(raw: unknown): {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
} {
  const data = raw as { holidays?: unknown; workdays?: unknown };
  const datesOf = (days: unknown, field: string) => {
    if (typeof days !== 'object' || days === null) throw new Error(`chinese-days data has no ${field}`);
    return Object.fromEntries(Object.keys(days).map((date) => [date, '']));
  };
  return { holidays: datesOf(data.holidays, 'holidays'), workdays: datesOf(data.workdays, 'workdays') };
}

/** Bundles chinese-days' data file as `calendarDates` of it. */
export function calendarDatesPlugin(): Plugin {
  return {
    name: 'calendar-dates',
    setup(build) {
      build.onLoad({ filter: CHINESE_DAYS_DATA }, (args) => ({
        contents: JSON.stringify(calendarDates(JSON.parse(readFileSync(args.path, 'utf8')))),
        loader: 'json',
      }));
    },
  };
}
