import { extensionOf, typeOfExtension } from '../domain/evidence/file-key.js';
import {
  EVIDENCE_CONTENT_TYPES,
  EVIDENCE_MAX_BYTES,
  EVIDENCE_MAX_FILE_NAME,
  type EvidenceContentType,
} from '../domain/evidence/limits.js';
import { acrossFields, instantString, isRecord, plainText, z } from './common.js';

const MIB = 1024 * 1024;
const TYPE_LIST = Object.entries(EVIDENCE_CONTENT_TYPES)
  .map(([type, spec]) => `${spec.label}(${type})`)
  .join('、');

export const CreateEvidenceUploadSchema = z
  .strictObject({
    fileName: z
      .string()
      .trim()
      .min(1, '请填写文件名')
      .max(EVIDENCE_MAX_FILE_NAME, `文件名最长 ${EVIDENCE_MAX_FILE_NAME} 个字符`)
      // A control character is never part of a real file name; it could only confuse a log or a header.
      .check(plainText('line'))
      .openapi({ example: '适龄儿童花名册(签字版).pdf' }),
    contentType: z
      .enum(Object.keys(EVIDENCE_CONTENT_TYPES) as [EvidenceContentType, ...EvidenceContentType[]], {
        error: `不支持的文件类型,只能上传:${TYPE_LIST}`,
      })
      .openapi({ example: 'application/pdf' }),
    size: z
      .number({ error: '请填写文件大小(字节数)' })
      .int('文件大小须为整数字节')
      .min(1, '不能上传空文件')
      .max(EVIDENCE_MAX_BYTES, `文件不能超过 ${EVIDENCE_MAX_BYTES / MIB} MiB(${EVIDENCE_MAX_BYTES} 字节)`)
      .openapi({ description: '文件字节数;上传时须恰好为这么多字节', example: 482_133 }),
  })
  // A known extension of another type (a .pdf declared as image/png) is a mistake worth catching
  // before the upload; an unknown suffix is just part of the name. Checked also when the size failed.
  .check(
    acrossFields(
      (u): u is { fileName: string; contentType: string } =>
        isRecord(u) && typeof u.fileName === 'string' && typeof u.contentType === 'string',
      ({ fileName, contentType }) => {
        const ext = extensionOf(fileName);
        const declared = ext === undefined ? undefined : typeOfExtension(ext);
        return ext !== undefined && declared !== undefined && declared !== contentType
          ? [{ field: 'fileName', message: `扩展名 .${ext} 与文件类型 ${contentType} 不符` }]
          : [];
      },
    ),
  )
  .openapi('CreateEvidenceUpload');

export const EvidenceUploadSchema = z
  .object({
    uploadUrl: z.string().openapi({ description: '用 PUT 上传文件内容的地址(有时效,勿转发)' }),
    method: z.literal('PUT'),
    headers: z
      .record(z.string(), z.string())
      .openapi({ description: '上传时必须带上的请求头', example: { 'Content-Type': 'application/pdf' } }),
    fileKey: z.string().openapi({
      description: '文件标识:上传成功后,在提交办结的 evidence 中写作 {title, ref: fileKey}',
      example: 'duties/d-01hy7k2m3n4p5q6r7s8t/f-01hy7k2m3n4p5q6r7s8t-report.pdf',
    }),
    expiresAt: instantString.openapi({ description: '上传地址的失效时间' }),
    maxBytes: z.number().int().openapi({ description: '本次上传的字节数(等于申报的 size,多或少都会被拒绝)' }),
  })
  .openapi('EvidenceUpload');

export const EvidenceDownloadSchema = z
  .object({
    downloadUrl: z.string().openapi({ description: '用 GET 下载文件的地址(有时效,约 5 分钟,勿转发)' }),
    expiresAt: instantString.openapi({ description: '下载地址的失效时间' }),
  })
  .openapi('EvidenceDownload');

export type EvidenceDownload = z.infer<typeof EvidenceDownloadSchema>;

export type CreateEvidenceUploadInput = z.infer<typeof CreateEvidenceUploadSchema>;
export type EvidenceUpload = z.infer<typeof EvidenceUploadSchema>;

/** The limits, in words, for the route's OpenAPI description. */
export const EVIDENCE_LIMITS_TEXT =
  `单个文件不超过 ${EVIDENCE_MAX_BYTES / MIB} MiB;类型限于 ${TYPE_LIST};` +
  `文件名 1–${EVIDENCE_MAX_FILE_NAME} 个字符(可用中文),扩展名须与类型相符。`;
