/**
 * Masks for children's and families' personal data shown in lists (个人信息保护法: a minor's data
 * is sensitive; lists show only enough to tell two children apart). The whole value is shown only
 * on a case page, to those allowed, and each such view is audited. Pure.
 */

/** Characters, not UTF-16 units: a rare surname outside the BMP is one character. */
const chars = (s: string) => [...s.trim()];

/** A name with all but its first and last character hidden: 张*明, 欧**明; two characters: 张*. */
export function maskName(name: string): string {
  const c = chars(name);
  if (c.length === 0) return '';
  if (c.length === 1) return '*';
  if (c.length === 2) return `${c[0]}*`;
  return `${c[0]}${'*'.repeat(c.length - 2)}${c.at(-1)}`;
}

/** A phone number with its middle hidden: 138****5678; a short number keeps its last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/**
 * A student registry number (全国学籍号, "G" + the identity number) or an identity number: the
 * first character and the last four kept. The middle holds the birth date and place, which are
 * what identify a child.
 */
export function maskRegistryNumber(value: string): string {
  const c = chars(value);
  if (c.length <= 5) return '*'.repeat(c.length);
  return `${c[0]}${'*'.repeat(c.length - 5)}${c.slice(-4).join('')}`;
}
