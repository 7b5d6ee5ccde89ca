/**
 * A case's kept material (材料留存) as one line of text, as the case stores it: its name, and where
 * it is — an uploaded file's key, an archive number, a link — in full-width brackets after it:
 * `劝返通知书(duties/case-…/f-…-notice.pdf)`. A name alone is material kept on paper.
 */
export interface CaseEvidence {
  title: string;
  ref: string | null;
}

const WITH_REF = /^(.*)\uFF08([^\uFF08\uFF09]+)\uFF09$/s;

/** The line a case keeps for a piece of material. */
export const caseEvidenceText = (title: string, ref: string): string => {
  const name = title.trim();
  const where = ref.trim();
  return where === '' ? name : `${name}\uFF08${where}\uFF09`;
};

/** A kept line read back as its name and where it is. */
export function parseCaseEvidence(text: string): CaseEvidence {
  const m = WITH_REF.exec(text);
  const title = m?.[1]?.trim() ?? '';
  return m === null || title === '' ? { title: text, ref: null } : { title, ref: m[2] ?? null };
}
