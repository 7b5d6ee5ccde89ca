/**
 * What a 控辍保学 notice says and whom it goes to, along the case's 包保 chain: the school (its
 * leader is named), the township above it, the office (the bureau). A notice says which class
 * and names the child masked at most (张*明): never the whole name, a phone or the family.
 */
import { type CaseEscalation, PERSUASION_STEPS, SUSPECTED_AFTER_WORKING_DAYS } from './case-ladder.js';

/** The notice levels of a case, as the inbox labels them. */
export const CASE_NOTICE_LEVELS: Record<CaseEscalation['kind'], { level: string; label: string }> = {
  suspected: { level: 'case-suspected', label: '疑似辍学' },
  'step-late': { level: 'case-step-late', label: '劝返逾期' },
  dropout: { level: 'case-dropout', label: '辍学' },
};

/** What of a case a notice may carry: nothing whole that names the child or the family. */
export interface CaseNoticeSubject {
  schoolUnitId: string;
  townshipUnitId: string;
  grade: string;
  className: string;
  childNameMasked: string;
  firstDayAbsent: string;
  /** The 包保 chain's people: staff, named so the notice says who answers for the child. */
  teacherName: string;
  leaderName: string;
}

/** The inbox recipients of an escalation: the school always, then up the chain to its addressee. */
export function caseNoticeRecipients(
  escalateTo: CaseEscalation['escalateTo'],
  subject: Pick<CaseNoticeSubject, 'schoolUnitId' | 'townshipUnitId'>,
): string[] {
  const school = `unit:${subject.schoolUnitId}`;
  const township = `unit:${subject.townshipUnitId}`;
  if (escalateTo === 'school-leader') return [school];
  if (escalateTo === 'township') return [school, township];
  return [school, township, 'role:office'];
}

/** The notice's one line, in the words the offices use. */
export function caseNoticeText(e: CaseEscalation, s: CaseNoticeSubject): string {
  const who = `${s.grade}${s.className} ${s.childNameMasked}`;
  const chain = `包保教师 ${s.teacherName},包保校领导 ${s.leaderName}`;
  if (e.kind === 'suspected') {
    return `【控辍保学】${who} 自 ${s.firstDayAbsent} 起无故缺课超过 ${SUSPECTED_AFTER_WORKING_DAYS} 个工作日,已列为疑似辍学,请包保校领导 ${s.leaderName} 督促劝返(${chain})`;
  }
  if (e.kind === 'step-late') {
    const label = PERSUASION_STEPS.find((p) => p.key === e.step)?.label ?? e.step ?? '';
    return `【控辍保学】${who} 劝返措施「${label}」已逾期(自 ${e.on} 起),请督促办理(${chain})`;
  }
  return `【控辍保学】${who} 疑似辍学满一个月仍未返校,自 ${e.on} 起认定辍学,请县教体局通报乡镇政府并安排劝返(${chain})`;
}
