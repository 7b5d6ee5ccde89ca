import { addDays, isValidIsoDate, localDateOf } from '../time/zoned-time.js';

/**
 * A step of a plan (工作步骤) with its date window. Dates are calendar days in the plan's time
 * zone; `end` is inclusive, and omitted only on the last phase ("6月1日至国检开始").
 */
export type Phase = {
  key: string;
  name: string;
  start: string;
  end?: string;
};

/** One thing wrong with a list of phases: the path of the offending field and a message for the office. */
export type PhaseProblem = {
  field: string;
  message: string;
};

/** Where a phase stands on a given day. */
export type PhaseState = 'upcoming' | 'active' | 'ended';

export const MIN_PHASES = 1;
export const MAX_PHASES = 10;
/** A phase key: lower-case letters, digits and '-', 1 to 40 characters, not starting with '-'. */
export const PHASE_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Every problem with a plan's phases, in field order; an empty list means they are valid.
 *
 * Windows may overlap the next one (plans write "9至10月" then "10至12月"), but phases must be
 * listed in order of start and only the last may be open-ended. Messages are in Chinese for the
 * office that typed the plan; positions in messages count from 1, field paths from 0.
 */
export function validatePhases(phases: Phase[]): PhaseProblem[] {
  const problems: PhaseProblem[] = [];
  if (phases.length < MIN_PHASES) {
    problems.push({ field: 'phases', message: '至少需要一个工作阶段' });
  } else if (phases.length > MAX_PHASES) {
    problems.push({
      field: 'phases',
      message: `工作阶段最多 ${MAX_PHASES} 个，当前有 ${phases.length} 个`,
    });
  }

  const firstIndexOfKey = new Map<string, number>();
  let previousStart: string | undefined;
  phases.forEach((phase, index) => {
    const at = `phases.${index}`;
    const last = index === phases.length - 1;

    if (!PHASE_KEY_PATTERN.test(phase.key)) {
      problems.push({
        field: `${at}.key`,
        message: '阶段标识须为 1 至 40 位小写字母、数字或连字符“-”，且不能以“-”开头',
      });
    } else {
      const earlier = firstIndexOfKey.get(phase.key);
      if (earlier === undefined) {
        firstIndexOfKey.set(phase.key, index);
      } else {
        problems.push({
          field: `${at}.key`,
          message: `阶段标识“${phase.key}”与第 ${earlier + 1} 个阶段重复`,
        });
      }
    }

    if (phase.name.trim() === '') {
      problems.push({ field: `${at}.name`, message: '阶段名称不能为空' });
    }

    const startValid = isValidIsoDate(phase.start);
    if (!startValid) {
      problems.push({
        field: `${at}.start`,
        message: `开始日期“${phase.start}”不是有效日期，应为 YYYY-MM-DD 格式`,
      });
    } else if (previousStart !== undefined && phase.start < previousStart) {
      problems.push({
        field: `${at}.start`,
        message: `各阶段须按开始日期先后排列：本阶段开始日期 ${phase.start} 早于上一阶段的 ${previousStart}`,
      });
    }

    if (phase.end === undefined) {
      if (!last) {
        problems.push({ field: `${at}.end`, message: '只有最后一个阶段可以不设结束日期' });
      }
    } else if (!isValidIsoDate(phase.end)) {
      problems.push({
        field: `${at}.end`,
        message: `结束日期“${phase.end}”不是有效日期，应为 YYYY-MM-DD 格式`,
      });
    } else if (startValid && phase.end < phase.start) {
      problems.push({
        field: `${at}.end`,
        message: `结束日期 ${phase.end} 早于开始日期 ${phase.start}`,
      });
    }

    // An invalid start says nothing about order; compare the next phase with the last valid one.
    if (startValid) {
      previousStart = phase.start;
    }
  });
  return problems;
}

/**
 * Whether `phase` is upcoming, active or ended on the local date of `now` in `timeZone`.
 * Start and end days both belong to the phase; an open-ended phase never ends.
 */
export function phaseState(phase: Phase, now: Date, timeZone: string): PhaseState {
  return stateOn(phase, localDateOf(now, timeZone));
}

/**
 * The phase a plan is in at `now`: among the phases whose window contains now's local date in
 * `timeZone`, the one that started latest (the later-listed one if two start the same day).
 * Null before the first phase starts, in a gap between windows, and after the last one ends.
 */
export function currentPhase(phases: Phase[], now: Date, timeZone: string): Phase | null {
  const today = localDateOf(now, timeZone);
  let current: Phase | null = null;
  for (const phase of phases) {
    if (stateOn(phase, today) === 'active' && (current === null || phase.start >= current.start)) {
      current = phase;
    }
  }
  return current;
}

/**
 * The same phases with every date moved by `days` calendar days (negative moves them earlier);
 * open ends stay open. The inputs are not modified.
 * @throws RangeError if a date is invalid or `days` is not an integer.
 */
export function shiftPhases(phases: Phase[], days: number): Phase[] {
  return phases.map((phase) => {
    const shifted: Phase = { ...phase, start: addDays(phase.start, days) };
    if (phase.end !== undefined) {
      shifted.end = addDays(phase.end, days);
    }
    return shifted;
  });
}

// ISO dates compare correctly as strings, which keeps every comparison here free of time zones.
function stateOn(phase: Phase, localDate: string): PhaseState {
  if (localDate < phase.start) {
    return 'upcoming';
  }
  if (phase.end !== undefined && localDate > phase.end) {
    return 'ended';
  }
  return 'active';
}
