import { EVIDENCE_CONTENT_TYPES, type EvidenceContentType } from './limits.js';

/** Every evidence file of a duty lives under this prefix; the S3 grant is limited to it. */
export const EVIDENCE_KEY_ROOT = 'duties';

/** What a key may hold: lower-case ASCII, digits, '-', '.', and '/' between segments. */
export const EVIDENCE_KEY_PATTERN = /^duties\/[a-z0-9-]{1,64}\/[a-z0-9][a-z0-9-]{0,100}\.[a-z0-9]{1,5}$/;

const SLUG_MAX = 40;

const EXTENSION_TYPES: ReadonlyMap<string, EvidenceContentType> = new Map(
  Object.entries(EVIDENCE_CONTENT_TYPES).flatMap(([type, spec]) =>
    spec.extensions.map((ext) => [ext, type as EvidenceContentType] as const),
  ),
);

/** The lower-cased suffix after the last '.', when it looks like an extension (1–5 letters or digits). */
export function extensionOf(fileName: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(fileName.trim());
  if (match?.[1] === undefined || match.index === 0) return undefined;
  return match[1].toLowerCase();
}

/** The content type a known extension names, if any. */
export const typeOfExtension = (ext: string): EvidenceContentType | undefined => EXTENSION_TYPES.get(ext);

/**
 * A safe ASCII slug of a file name, without its (known) extension: what survives of Latin letters and
 * digits, '-' between runs, at most 40 characters. A name in Chinese leaves nothing and becomes 'file'
 * (the person-readable name is the evidence title in the submission, not the key).
 */
export function slugOfFileName(fileName: string): string {
  const ext = extensionOf(fileName);
  // Only a known extension is taken off; an unknown suffix ('minutes.final') is part of the name.
  const known = ext !== undefined && typeOfExtension(ext) !== undefined;
  const base = known ? fileName.trim().slice(0, -(ext.length + 1)) : fileName;
  const slug = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug : 'file';
}

/**
 * The storage key of a new evidence file: `duties/<dutyId>/<fileId>-<slug>.<ext>`. The extension
 * is the name's own when it belongs to the type, else the type's usual one. `fileId` is random,
 * so two uploads of the same name never collide and a key cannot be guessed.
 */
export function evidenceFileKey(input: {
  dutyId: string;
  fileId: string;
  fileName: string;
  contentType: EvidenceContentType;
}): string {
  const spec = EVIDENCE_CONTENT_TYPES[input.contentType];
  const own = extensionOf(input.fileName);
  const ext = own !== undefined && typeOfExtension(own) === input.contentType ? own : spec.extensions[0];
  return `${EVIDENCE_KEY_ROOT}/${input.dutyId}/${input.fileId}-${slugOfFileName(input.fileName)}.${ext}`;
}

/** Whether `key` is a well-formed evidence key (and so safe as a relative path). */
export const isEvidenceKey = (key: string): boolean => EVIDENCE_KEY_PATTERN.test(key);

/**
 * What a submission's evidence reference is: a file uploaded through this service (its key, under
 * `duties/`), or anything else — a link, an archive number (档号) — which is kept as given. A file
 * reference is `foreign` when it is malformed or belongs to another duty: a unit must not present
 * another department's upload as its own evidence.
 */
export function classifyEvidenceRef(ref: string, dutyId: string): 'external' | 'own-file' | 'foreign-file' {
  if (!ref.startsWith(`${EVIDENCE_KEY_ROOT}/`)) return 'external';
  return isEvidenceKey(ref) && ref.startsWith(`${EVIDENCE_KEY_ROOT}/${dutyId}/`)
    ? 'own-file'
    : 'foreign-file';
}
