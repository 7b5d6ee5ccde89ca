import { describe, expect, it } from 'vitest';
import type { CaseEscalation } from '../../shared/domain/dropout/case-ladder.js';
import { caseNoticeRecipients, caseNoticeText } from '../../shared/domain/dropout/case-notice.js';
import { composeMessage } from '../../shared/domain/notify/message.js';

const subject = {
  schoolUnitId: 'school-a',
  townshipUnitId: 'town',
  grade: '七年级',
  className: '2班',
  childNameMasked: '张*明',
  firstDayAbsent: '2025-09-25',
  teacherName: '王老师',
  leaderName: '李校长',
};
const escalation = (over: Partial<CaseEscalation>): CaseEscalation => ({
  id: 'c1-suspected',
  kind: 'suspected',
  on: '2025-10-09',
  step: null,
  escalateTo: 'school-leader',
  ...over,
});

describe('case notices along the 包保 chain', () => {
  it('go to the school, then up to its township, then to the office', () => {
    expect(caseNoticeRecipients('school-leader', subject)).toEqual(['unit:school-a']);
    expect(caseNoticeRecipients('township', subject)).toEqual(['unit:school-a', 'unit:town']);
    expect(caseNoticeRecipients('bureau', subject)).toEqual(['unit:school-a', 'unit:town', 'role:office']);
  });

  it('name the class, the masked child and the chain, and say what is owed', () => {
    const suspected = caseNoticeText(escalation({}), subject);
    expect(suspected).toContain('七年级2班 张*明');
    expect(suspected).toContain('疑似辍学');
    expect(suspected).toContain('李校长');
    const late = caseNoticeText(
      escalation({ id: 'c1-late-contact', kind: 'step-late', on: '2025-10-12', step: 'contact' }),
      subject,
    );
    expect(late).toContain('联系家长和学生劝返');
    expect(late).toContain('2025-10-12');
    expect(caseNoticeText(escalation({ kind: 'dropout', on: '2025-11-10' }), subject)).toContain('认定辍学');
  });

  it('link to the case, not to a duty, when pushed to a group robot', () => {
    const { markdown } = composeMessage(
      [
        {
          id: 'c1-suspected',
          dutyId: '',
          caseId: 'c1',
          dutyTitle: caseNoticeText(escalation({}), subject),
          unitId: 'school-a',
          level: 'case-suspected',
          levelLabel: '疑似辍学',
          dueAt: '2025-10-08T16:00:00.000Z',
          workingDaysLate: 0,
        },
      ],
      {
        unitNames: new Map([['school-a', '城关中学']]),
        baseUrl: 'https://duban.example/',
        mentionMobiles: [],
      },
    );
    expect(markdown).toContain('(https://duban.example/cases/c1)');
    expect(markdown).not.toContain('/duties/');
  });
});
