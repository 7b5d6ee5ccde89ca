import { describe, expect, it } from 'vitest';
import {
  acrossFields,
  dueTime,
  isRecord,
  line,
  text,
  textProblem,
  uniqueItems,
  z,
} from '../../shared/schemas/common.js';

const problems = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value).error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);

const ODD = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\ud800',
  '\udbff',
  '\udc00',
];

describe('line and text (issue 11, item 10)', () => {
  it('refuse every control character and lone surrogate, saying which character', () => {
    for (const odd of ODD) {
      for (const schema of [line(1, 50), text(1, 50)]) {
        const issues = problems(schema, `东街${odd}村`);
        expect(issues).toHaveLength(1);
        expect(issues[0]?.[1]).toContain('第 3 个字符');
      }
    }
    expect(textProblem('a\u0000', 'multiline')).toBe('第 2 个字符(U+0000)是控制字符,请删除后重新输入');
    expect(textProblem('😀\ud83d', 'line')).toBe('第 2 个字符(U+D83D)是无效字符,请删除后重新输入');
  });

  it('keep tabs and line breaks in long text only', () => {
    expect(text(1, 50).parse('一、摸排\n\t二、整改\r\n三')).toBe('一、摸排\n\t二、整改\r\n三');
    for (const brk of ['\t', '\n', '\r', '\u2028', '\u2029']) {
      expect(problems(line(1, 50), `回头${brk}看`)).toEqual([['', '不能换行或含制表符(第 3 个字符)']]);
    }
  });

  it('keep Chinese, emoji, surrogate pairs and bidi marks as given, trimmed', () => {
    for (const s of ['县教育体育局', '👨‍👩‍👧‍👦🇨🇳', '𠀀字', '=SUM(A1)', '\u202e反转', '<b>&amp;</b>']) {
      expect(line(1, 50).parse(`  ${s} \n`)).toBe(s);
      expect(text(1, 50).parse(s)).toBe(s);
    }
  });

  it('check the length after trimming, and the characters in the same answer', () => {
    expect(problems(line(2, 3), ' a\u0000bc ').map(([f]) => f)).toEqual(['', '']);
    expect(line(1, 5).safeParse('   ').success).toBe(false);
  });
});

describe('dueTime', () => {
  it('takes a date or an offset date-time and names what is wrong with anything else', () => {
    for (const ok of [
      '2026-05-26',
      '2026-05-13T12:00:00+08:00',
      '2026-05-13T04:00:00.5Z',
      '2026-05-13T12:00+0800',
    ]) {
      expect(dueTime().safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of [
      'tomorrow-ish',
      '2026-02-30',
      '2026-05-13T12:00:00',
      '9999-12-31',
      '2026-05-13T25:00Z',
      '',
    ]) {
      expect(problems(dueTime(), bad), bad).toHaveLength(1);
    }
  });
});

describe('acrossFields and uniqueItems (issue 11, item 3)', () => {
  const Schema = z.strictObject({ name: z.string().min(1), from: z.number(), to: z.number() }).check(
    acrossFields(
      (v): v is { from: number; to: number } =>
        isRecord(v) && typeof v.from === 'number' && typeof v.to === 'number',
      (v) => (v.to < v.from ? [{ field: 'to', message: '早于开始' }] : []),
    ),
  );

  it('runs the cross-field check when another field failed', () => {
    expect(problems(Schema, { name: '', from: 5, to: 1 }).map(([f]) => f)).toEqual(['name', 'to']);
    expect(problems(Schema, { name: 'a', from: 5, to: 1, extra: 1 }).map(([f]) => f)).toEqual(['', 'to']);
  });

  it('skips it when a field it reads is not there, and never names a field twice', () => {
    expect(problems(Schema, { name: 'a', from: 'x', to: 1 }).map(([f]) => f)).toEqual(['from']);
    expect(problems(Schema, 'not an object').map(([f]) => f)).toEqual(['']);
    const Named = z
      .strictObject({ to: z.number().max(3) })
      .check(acrossFields(isRecord, () => [{ field: 'to', message: '另一条' }]));
    expect(problems(Named, { to: 9 })).toHaveLength(1);
  });

  it('finds duplicates also when an item failed', () => {
    const Ids = z.array(z.string().regex(/^[a-z]+$/)).check(uniqueItems('不能重复'));
    expect(problems(Ids, ['a', 'a', 'B'])).toEqual([
      ['2', expect.any(String)],
      ['', '不能重复'],
    ]);
    expect(Ids.safeParse(['a', 'b']).success).toBe(true);
  });
});
