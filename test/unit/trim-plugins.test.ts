/**
 * What the bundling plugins leave out stays out of reach: the calendar keeps every date the working
 * calendar reads, and a module's throwing stand-in has the module's own export names, each of which
 * fails loudly if ever called. (That the deployed bundles still answer: test/infra/stack.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { calendarDates, throwingStandIn, zodUnusedPlugin } from '../../infra/cloud/bundling/trim-plugins.js';

const require = createRequire(import.meta.url);
const read = (specifier: string) => readFileSync(require.resolve(specifier), 'utf8');
/** A file of the installed zod that its package `exports` do not expose. */
const zodFile = (path: string) =>
  readFileSync(join(dirname(require.resolve('zod/package.json')), path), 'utf8');

describe('bundling plugins', () => {
  it('keep every holiday and working weekend date of the official calendar, and nothing else', () => {
    const raw = JSON.parse(read('chinese-days/dist/chinese-days.json')) as Record<string, object>;
    const trimmed = calendarDates(raw);
    expect(Object.keys(trimmed).sort()).toEqual(['holidays', 'workdays']);
    expect(Object.keys(trimmed.holidays)).toEqual(Object.keys(raw.holidays ?? {}));
    expect(Object.keys(trimmed.workdays)).toEqual(Object.keys(raw.workdays ?? {}));
    expect(Object.keys(trimmed.holidays).length).toBeGreaterThan(500);
    expect(JSON.stringify(trimmed).length).toBeLessThan(JSON.stringify(raw).length / 2);
    expect(() => calendarDates({ holidays: {} })).toThrow(/workdays/);
  });

  it("stand in for zod's unused modules with the same export names, each throwing when called", async () => {
    for (const file of ['v4/core/compile.js', 'v4/classic/from-json-schema.js']) {
      const source = zodFile(file);
      const standIn = throwingStandIn(source, file);
      if ('error' in standIn) throw new Error(standIn.error);
      const real = [...source.matchAll(/^export (?:const|function|class) ([\w$]+)/gm)].map((m) => m[1]);
      const kept = [...standIn.contents.matchAll(/^export const ([\w$]+) = left;$/gm)].map((m) => m[1]);
      expect(kept).toEqual(real);
      const module = (await import(
        `data:text/javascript;base64,${Buffer.from(standIn.contents).toString('base64')}`
      )) as Record<string, () => unknown>;
      for (const name of kept) expect(() => module[name ?? '']?.(), name).toThrow(/left out of this bundle/);
    }
    expect(throwingStandIn('export { a } from "./a.js";\nexport function b() {}', 'm.js')).toEqual({
      error: 'cannot stand in for m.js: its exports are not all plain declarations',
    });
  });

  it('leave zod working: a bundle using z parses and refuses as before', async () => {
    const result = await build({
      stdin: {
        contents:
          "import { z } from 'zod'; const s = z.object({ n: z.number().int() }); export const ok = s.safeParse({ n: 1 }).success, bad = s.safeParse({ n: 1.5 }).success, compile = typeof z.compile;",
        resolveDir: process.cwd(),
        loader: 'js',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      plugins: [zodUnusedPlugin()],
      logLevel: 'silent',
    });
    const text = result.outputFiles?.[0]?.text ?? '';
    expect(text).not.toContain('ZodCompileUnsupportedError extends');
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as {
      ok: boolean;
      bad: boolean;
      compile: string;
    };
    expect({ ok: bundled.ok, bad: bundled.bad, compile: bundled.compile }).toEqual({
      ok: true,
      bad: false,
      compile: 'function',
    });
  });
});
