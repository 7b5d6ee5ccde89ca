import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeadlineParse, parseDeadlineText } from '../../shared/domain/import/deadline-text.js';
import { columnLetter, findHeader } from '../../shared/domain/import/header-map.js';
import { createUnitMatcher, splitUnitCell } from '../../shared/domain/import/unit-match.js';

const ctx = { year: 2023, timeZone: 'Asia/Shanghai', now: new Date('2023-05-10T02:00:00Z') };
const parse = (s: string) => parseDeadlineText(s, ctx);

function due(s: string): string {
  const r = parse(s);
  if (!r.ok || r.kind !== 'due') throw new Error(`expected a due time for ${s}, got ${JSON.stringify(r)}`);
  return r.dueAt;
}

function refused(s: string): string {
  const r = parse(s);
  if (r.ok) throw new Error(`expected ${s} to be refused, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('parseDeadlineText: dates as offices write them', () => {
  it('reads a full date with 前 as the end of that day in the plan time zone', () => {
    expect(due('2023年5月13日前')).toBe('2023-05-13T15:59:59.999Z');
    expect(due('2023年5月13日')).toBe('2023-05-13T15:59:59.999Z');
    expect(due('2023-05-13')).toBe('2023-05-13T15:59:59.999Z');
    expect(due('2023/5/13')).toBe('2023-05-13T15:59:59.999Z');
    expect(due('2023.5.13前完成')).toBe('2023-05-13T15:59:59.999Z');
  });

  it('gives a date without a year the plan year', () => {
    expect(due('6月30日')).toBe('2023-06-30T15:59:59.999Z');
    expect(due('6月30号前')).toBe('2023-06-30T15:59:59.999Z');
    expect(due(' 6 月 30 日 ')).toBe('2023-06-30T15:59:59.999Z');
  });

  it('reads month ends, ten-day parts and the year end', () => {
    expect(due('5月底前')).toBe('2023-05-31T15:59:59.999Z');
    expect(due('2月底')).toBe('2023-02-28T15:59:59.999Z');
    expect(due('5月上旬')).toBe('2023-05-10T15:59:59.999Z');
    expect(due('5月中旬')).toBe('2023-05-20T15:59:59.999Z');
    expect(due('5月下旬')).toBe('2023-05-31T15:59:59.999Z');
    expect(due('年底前')).toBe('2023-12-31T15:59:59.999Z');
  });

  it('reads Chinese numerals and full-width digits', () => {
    expect(due('五月十三日前')).toBe('2023-05-13T15:59:59.999Z');
    expect(due('二〇二三年十二月三十一日')).toBe('2023-12-31T15:59:59.999Z');
    expect(due('６月３０日')).toBe('2023-06-30T15:59:59.999Z');
  });

  it('reads a time of day', () => {
    expect(due('5月13日12时前')).toBe('2023-05-13T04:00:00.000Z');
    expect(due('5月13日上午')).toBe('2023-05-13T04:00:00.000Z');
    expect(due('5月13日17:30前')).toBe('2023-05-13T09:30:00.000Z');
  });

  it('reads 立即 as the end of the import day', () => {
    expect(due('立即')).toBe('2023-05-10T15:59:59.999Z');
    const r = parse('立即整改');
    expect(r.ok && r.label).toContain('立即');
  });

  it('reads 长期坚持 as a standing duty without deadline', () => {
    expect(parse('长期坚持')).toEqual({ ok: true, kind: 'standing', label: '长期坚持(无截止时间)' });
    expect(parse('常态化').ok && (parse('常态化') as { kind: string }).kind).toBe('standing');
  });

  it('reads weekly and monthly rules', () => {
    expect(parse('每周五上午')).toMatchObject({
      ok: true,
      kind: 'recurring',
      recurrence: { freq: 'weekly', weekdays: [5], time: '12:00' },
    });
    expect(parse('每周一、三')).toMatchObject({
      recurrence: { freq: 'weekly', weekdays: [1, 3], time: '23:59' },
    });
    expect(parse('每月25日前')).toMatchObject({
      kind: 'recurring',
      recurrence: { freq: 'monthly', day: 25 },
    });
    expect(parse('每月底前')).toMatchObject({ recurrence: { freq: 'monthly', day: 'last' } });
  });

  it('refuses what it cannot read, with the original text', () => {
    expect(refused('尽快')).toContain('尽快');
    expect(refused('')).toBe('完成时限为空');
    expect(refused('2月30日')).toContain('不存在');
    expect(refused('13月1日')).toContain('不存在');
    expect(refused('5月')).toContain('请写明日期');
    expect(refused('5月13日左右')).toContain('无法识别');
    expect(refused('每周八')).toContain('无法识别');
    expect(refused('每月32日')).toContain('不存在');
    expect(refused('5月13日25时')).toContain('不存在');
    expect(refused('x'.repeat(100))).toContain('过长');
  });

  it('never throws on random text, and an answer is either a reading or an error message', () => {
    const alphabet = fc.constantFrom(
      ...'0123456789年月日号前底每周五上午下旬中长期坚持立即〇一二三十:/-. 、'.split(''),
    );
    const valid = (r: DeadlineParse) =>
      r.ok
        ? r.label.length > 0 && (r.kind !== 'due' || !Number.isNaN(Date.parse(r.dueAt)))
        : r.message.length > 0;
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: alphabet, maxLength: 20 })), (s) =>
        valid(parseDeadlineText(s, ctx)),
      ),
      { numRuns: 3000 },
    );
  });
});

describe('unit matcher', () => {
  const units = [
    { id: 'edu', name: '县教育体育局', aliases: ['县教体局'], active: true },
    { id: 'fin', name: '县财政局', aliases: [], active: true },
    { id: 'pol', name: '县公安局', aliases: [], active: true },
    { id: 'twp-a', name: '城关镇', aliases: ['城关'], active: true },
    { id: 'sch-a', name: '城关中学', aliases: ['城关'], active: true },
    { id: 'old', name: '县扶贫办', aliases: [], active: false },
  ];
  const m = createUnitMatcher(units);

  it('matches exact names and the office-kept aliases', () => {
    expect(m.matchOne('县教育体育局')).toEqual({ ok: true, unitId: 'edu', name: '县教育体育局' });
    expect(m.matchOne('县教体局')).toEqual({ ok: true, unitId: 'edu', name: '县教育体育局' });
    expect(m.matchOne(' 县财政局(牵头) ')).toMatchObject({ ok: true, unitId: 'fin' });
  });

  it('splits a cell on 、,,;; and line breaks', () => {
    expect(splitUnitCell('县财政局、县公安局,县教体局;城关镇\n县财政局')).toEqual([
      '县财政局',
      '县公安局',
      '县教体局',
      '城关镇',
      '县财政局',
    ]);
    expect(m.matchCell('县财政局，县公安局').map((r) => r.ok && r.unitId)).toEqual(['fin', 'pol']);
  });

  it('never guesses: unknown names offer the closest units', () => {
    const r = m.matchOne('县教育局');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.closest[0]?.id).toBe('edu');
    expect(r.message).toContain('县教育体育局');
  });

  it('refuses an alias kept for two units, offering both', () => {
    const r = m.matchOne('城关');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.closest.map((c) => c.id).sort()).toEqual(['sch-a', 'twp-a']);
    expect(r.message).toContain('多个单位');
  });

  it('refuses an inactive unit', () => {
    const r = m.matchOne('县扶贫办');
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.message).toContain('已停用');
  });
});

describe('header finder', () => {
  it('finds the columns by their Chinese headers in any order, below a title line', () => {
    const rows = [
      ['教育扶贫迎国检任务分解表', '', '', ''],
      ['备注', '完成时限', '牵头单位', '序号', '任务内容', '协办单位', '阶段(步骤)'],
      ['', '5月13日前', '县教体局', '1', '制定方案', '', ''],
    ];
    const h = findHeader(rows);
    expect(h).toEqual({
      ok: true,
      headerRow: 1,
      columns: { note: 0, due: 1, lead: 2, seq: 3, title: 4, co: 5, phase: 6 },
    });
  });

  it('accepts multi-line headers', () => {
    expect(findHeader([['工作\n任务', '责任\n单位', '时间\n要求']])).toMatchObject({
      ok: true,
      columns: { title: 0, lead: 1, due: 2 },
    });
  });

  it('names the missing columns', () => {
    const h = findHeader([['序号', '工作任务', '备注']]);
    expect(h.ok).toBe(false);
    expect(!h.ok && h.message).toContain('责任单位');
  });

  it('refuses a column given twice', () => {
    const h = findHeader([['工作任务', '责任单位', '完成时限', '时间要求']]);
    expect(!h.ok && h.message).toContain('C 列和 D 列');
  });

  it('letters columns as spreadsheets do', () => {
    expect([0, 25, 26, 27, 701].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ']);
  });
});
