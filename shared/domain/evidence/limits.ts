/**
 * What a unit may upload as evidence (佐证材料): the file types county offices exchange, each with
 * the extensions that name it (the first is the one a key gets when the name has none).
 */
export const EVIDENCE_CONTENT_TYPES = {
  'application/pdf': { label: 'PDF', extensions: ['pdf'] },
  'image/jpeg': { label: 'JPEG 图片', extensions: ['jpg', 'jpeg'] },
  'image/png': { label: 'PNG 图片', extensions: ['png'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    label: 'Word 文档',
    extensions: ['docx'],
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    label: 'Excel 表格',
    extensions: ['xlsx'],
  },
  'application/msword': { label: 'Word 97-2003 文档', extensions: ['doc'] },
  'application/vnd.ms-excel': { label: 'Excel 97-2003 表格', extensions: ['xls'] },
} as const satisfies Record<string, { label: string; extensions: readonly [string, ...string[]] }>;

export type EvidenceContentType = keyof typeof EVIDENCE_CONTENT_TYPES;

/** 20 MiB: a scanned signed roster or a few photos; bigger material is split or photographed smaller. */
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

export const EVIDENCE_MAX_FILE_NAME = 200;

/** An upload URL is good for 15 minutes: long enough for a slow county line, short if it leaks. */
export const EVIDENCE_UPLOAD_TTL_SECONDS = 15 * 60;

export const isEvidenceContentType = (value: string): value is EvidenceContentType =>
  Object.hasOwn(EVIDENCE_CONTENT_TYPES, value);
