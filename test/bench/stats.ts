/** Latency figures of one measured phase; times in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  /** Completed operations per second over the phase's wall-clock time. */
  throughput: number;
}

/** Nearest-rank percentile of an ascending list; `p` in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

export function summarize(latencies: readonly number[], wallMs: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    throughput: wallMs > 0 ? (sorted.length * 1000) / wallMs : Number.NaN,
  };
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** A fixed-width table, so the figures of several rows line up in a terminal and in CI logs. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs `run` once and returns its value with the milliseconds it took. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await run();
  return { value, ms: performance.now() - t0 };
}

/**
 * One warm-up call of each (JIT, sockets, the engine's caches), then `runs` alternating timed runs
 * of the baseline and the measured read: their times, and the values of the last run.
 */
export async function alternate<B, M>(
  runs: number,
  baseline: () => Promise<B>,
  measured: () => Promise<M>,
): Promise<{ baselineMs: number[]; measuredMs: number[]; baseline: B; measured: M }> {
  const last = { baseline: (await timed(baseline)).value, measured: (await timed(measured)).value };
  const baselineMs: number[] = [];
  const measuredMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const b = await timed(baseline);
    baselineMs.push(b.ms);
    last.baseline = b.value;
    const m = await timed(measured);
    measuredMs.push(m.ms);
    last.measured = m.value;
  }
  return { baselineMs, measuredMs, ...last };
}
