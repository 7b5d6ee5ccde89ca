// The first character (in pinyin order) of each initial's syllables: a character's initial is the
// last boundary it sorts at or after. No dictionary to ship: the runtime's ICU collator knows the
// order. Characters with several readings get their most common one, which is enough for a filter.
const INITIALS = 'abcdefghjklmnopqrstwxyz';
const BOUNDARIES = '阿八嚓哒妸发旮哈讥咔垃妈拏噢妑七呥仨他屲夕丫帀';
const collator = new Intl.Collator('zh-CN-u-co-pinyin');
const HAN = /\p{Script=Han}/u;

/** Pinyin initials of a name, for a filter that accepts "xjyj" for 县教育局: letters and digits kept. */
export function pinyinInitials(name: string): string {
  let out = '';
  for (const ch of name) {
    if (/[a-z0-9]/i.test(ch)) out += ch.toLowerCase();
    else if (HAN.test(ch)) {
      let initial = '';
      for (let i = 0; i < BOUNDARIES.length; i++) {
        if (collator.compare(ch, BOUNDARIES.charAt(i)) < 0) break;
        initial = INITIALS.charAt(i);
      }
      out += initial;
    }
  }
  return out;
}
