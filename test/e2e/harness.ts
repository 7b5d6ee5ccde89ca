import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.js';
import { launchTestBrowser } from './browser.js';

/**
 * What the Chromium tests share: the real local runtime in memory (with the demo seed), a headless
 * browser (browser.ts), screenshots into test/e2e/screenshots/ for a person to look at, each page
 * photographed also checked by axe-core, and the demo sign-in.
 */
export const SHOTS = join(import.meta.dirname, 'screenshots');
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
/** axe-core's browser bundle (an npm package), evaluated in each page checked. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}

export interface E2e {
  runtime: LocalRuntime;
  /** A new browser context (its own cookies) at `viewport`, relative URLs against the runtime. */
  open(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the runtime and the browser; `close()` stops both, whatever was opened. */
export async function startE2e(options: { clock?: () => Date } = {}): Promise<E2e> {
  mkdirSync(SHOTS, { recursive: true });
  const runtime = await startLocalRuntime({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    devSecret: 'e2e-secret-0123456789-0123456789-0123456789',
    tableName: 'duban',
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const testBrowser = await launchTestBrowser().catch(async (error: unknown) => {
    await runtime.stop();
    throw error;
  });
  const contexts: BrowserContext[] = [];
  return {
    runtime,
    async open(viewport = DESKTOP) {
      const context = await testBrowser.browser.newContext({
        viewport,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        baseURL: runtime.url,
      });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close();
      await testBrowser.close();
      await runtime.stop();
    },
  };
}

/** Serious or critical accessibility problems axe-core finds on the page, as `rule: target` lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol, so the page's CSP does not stop it.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown) => Promise<AxeResults> } }).axe;
    const results = await axe.run((globalThis as unknown as { document: unknown }).document);
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/**
 * Every page of ours photographed is also checked by axe-core: no serious or critical violation.
 * `axe: false` only for the API docs, which is Swagger UI's page as its authors ship it.
 */
export async function shot(page: Page, name: string, options: { axe?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  if (options.axe !== false) expect(await axeProblems(page), name).toEqual([]);
}

/** The two screens every page is looked at on: phone first, then desktop. */
export const SIZES = [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const;

/**
 * The page as it is now, photographed at both sizes (`<name>-phone.png`, `<name>-desktop.png`), each
 * checked by axe-core and none wider than its screen; the page is left at `back`.
 */
export async function shotBothSizes(page: Page, name: string, back = DESKTOP): Promise<void> {
  for (const [size, viewport] of SIZES) {
    await page.setViewportSize(viewport);
    await shot(page, `${name}-${size}`);
    // The page itself never scrolls sideways; a wide table or chart scrolls inside its own box.
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(width, `${name}-${size} is ${width}px wide`).toBeLessThanOrEqual(viewport.width);
  }
  await page.setViewportSize(back);
}

/** Signs in through the local demo sign-in as the user whose button reads `label`. */
export async function signInAs(page: Page, label: string): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(/\/signin$/);
}
