import { describe, expect, it } from 'vitest';
import { caseEvidenceText, parseCaseEvidence } from '../../shared/domain/dropout/case-evidence.js';

describe('a case kept material line', () => {
  it('reads back the name and where it is', () => {
    const line = caseEvidenceText(' 劝返通知书 ', 'duties/case-a/f-1-notice.pdf');
    expect(parseCaseEvidence(line)).toEqual({ title: '劝返通知书', ref: 'duties/case-a/f-1-notice.pdf' });
  });

  it('keeps a name alone (material on paper) and text without a name as written', () => {
    expect(caseEvidenceText('返校签到表', ' ')).toBe('返校签到表');
    expect(parseCaseEvidence('返校签到表')).toEqual({ title: '返校签到表', ref: null });
    const bare = caseEvidenceText('', 'A-12');
    expect(parseCaseEvidence(bare)).toEqual({ title: bare, ref: null });
  });
});
