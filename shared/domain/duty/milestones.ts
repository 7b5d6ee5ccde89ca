import type { Milestone } from './light.js';

/** At most this many milestones on one duty (a phase-long self-check has a handful). */
export const MAX_MILESTONES = 20;

/** A milestone as the office or the unit writes it: a date with a planned percentage, or a named step. */
export interface MilestoneDraft {
  date: string;
  percent?: number | undefined;
  name?: string | undefined;
}

/** A milestone as stored on a duty: always a percentage (a named step's share), the name kept. */
export interface StoredMilestone extends Milestone {
  name: string | null;
}

interface Problem {
  field: string;
  message: string;
}

/**
 * The problems of a milestone list, each naming its field: dates in strictly increasing order,
 * percentages given on every milestone or on none (named steps), never going down, a step with a
 * name when it has no percentage. `dueDate` (local `YYYY-MM-DD`), when known, bounds the dates.
 */
export function milestoneProblems(drafts: readonly MilestoneDraft[], dueDate?: string | null): Problem[] {
  const problems: Problem[] = [];
  const withPercent = drafts.filter((m) => m.percent !== undefined).length;
  const mixed = withPercent > 0 && withPercent < drafts.length;
  drafts.forEach((m, i) => {
    const previous = drafts[i - 1];
    if (previous !== undefined && m.date <= previous.date) {
      problems.push({
        field: `milestones.${i}.date`,
        message: `第 ${i + 1} 个里程碑的日期须晚于第 ${i} 个(${previous.date})`,
      });
    } else if (dueDate != null && m.date > dueDate) {
      problems.push({
        field: `milestones.${i}.date`,
        message: `第 ${i + 1} 个里程碑的日期晚于截止日期 ${dueDate}`,
      });
    }
    if (mixed && m.percent === undefined) {
      problems.push({
        field: `milestones.${i}.percent`,
        message: '计划进度须每个里程碑都填写,或都不填写(按步骤平均)',
      });
    } else if (m.percent !== undefined && previous?.percent !== undefined && m.percent < previous.percent) {
      problems.push({
        field: `milestones.${i}.percent`,
        message: `第 ${i + 1} 个里程碑的计划进度不能低于前一个(${previous.percent}%)`,
      });
    }
    if (m.percent === undefined && (m.name === undefined || m.name === '')) {
      problems.push({ field: `milestones.${i}.name`, message: '没有计划进度的里程碑须写明步骤名称' });
    }
  });
  return problems;
}

/**
 * The milestones to store: as given, or — named steps without percentages — each step's share of
 * the whole (the k-th of n steps done is k/n of the work, rounded).
 */
export function resolveMilestones(drafts: readonly MilestoneDraft[]): StoredMilestone[] {
  return drafts.map((m, i) => ({
    date: m.date,
    percent: m.percent ?? Math.round((100 * (i + 1)) / drafts.length),
    name: m.name ?? null,
  }));
}

/** The milestones in words, for the page and the audit's reader: "5月20日 30%(完成排查)". */
export function milestoneText(m: StoredMilestone): string {
  const [, month, day] = m.date.split('-').map(Number);
  return `${month}月${day}日 ${m.percent}%${m.name === null ? '' : `(${m.name})`}`;
}
