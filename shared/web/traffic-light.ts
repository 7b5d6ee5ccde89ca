import type { Duty } from '../schemas/duties.js';

/** 亮灯: red overdue, yellow near its deadline, green on track. */
export type Light = 'red' | 'yellow' | 'green';

/** "Due soon" when a duty's remind level has not fired yet: within this long of the due time. */
export const NEAR_DUE_MS = 24 * 3_600_000;

/**
 * The light of one duty at `now`. Yellow is the reminder window: due within 24 hours, or a notice
 * (the plan's reminder level, one working day ahead by default) has already gone out for it.
 * Anything no longer open is green.
 */
export function dutyLight(
  duty: Pick<Duty, 'status' | 'overdue' | 'dueAt' | 'lastNoticeLevel'>,
  now: Date,
): Light {
  if (duty.status !== 'open') return 'green';
  if (duty.overdue) return 'red';
  if (Date.parse(duty.dueAt) - now.getTime() <= NEAR_DUE_MS || duty.lastNoticeLevel !== null) return 'yellow';
  return 'green';
}

const RANK: Record<Light, number> = { green: 0, yellow: 1, red: 2 };

/** A unit's light: the worst of its duties' (green when it has none open). */
export function worstLight(lights: Iterable<Light>): Light {
  let worst: Light = 'green';
  for (const light of lights) if (RANK[light] > RANK[worst]) worst = light;
  return worst;
}
