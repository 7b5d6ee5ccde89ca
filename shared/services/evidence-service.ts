import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CaseRepository } from '../db/case-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { decide } from '../domain/access/policy.js';
import { parseCaseEvidence } from '../domain/dropout/case-evidence.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import {
  classifyEvidenceRef,
  EVIDENCE_KEY_ROOT,
  evidenceFileKey,
  isEvidenceKey,
} from '../domain/evidence/file-key.js';
import { EVIDENCE_UPLOAD_TTL_SECONDS } from '../domain/evidence/limits.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import { newId } from '../ids.js';
import type { CreateEvidenceUploadInput, EvidenceDownload, EvidenceUpload } from '../schemas/evidence.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

/** A download URL is good for 5 minutes: enough to follow the link, too short to be worth passing on. */
export const EVIDENCE_DOWNLOAD_TTL_SECONDS = 5 * 60;

/** A title as a file name: path separators and control characters become spaces. */
const asFileName = (title: string): string =>
  [...title]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f || ch === '/' || ch === '\\' ? ' ' : ch;
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();

/** The name a file downloads under: its evidence title (with the key's extension), else the key's name. */
function downloadName(fileKey: string, title: string | undefined): string {
  const base = fileKey.slice(fileKey.lastIndexOf('/') + 1);
  const ext = base.slice(base.lastIndexOf('.'));
  const clean = asFileName(title ?? '').slice(0, 200);
  if (clean === '') return base;
  return clean.toLowerCase().endsWith(ext) ? clean : `${clean}${ext}`;
}

/**
 * The key of a duty's file named by the last segment of its key (as the API and page paths carry
 * it); a name that cannot make a key is a file that does not exist (404).
 */
export function evidenceKeyOf(dutyId: string, fileName: string): string {
  const key = `${EVIDENCE_KEY_ROOT}/${dutyId}/${fileName}`;
  if (!isEvidenceKey(key)) throw new NotFoundError('佐证文件', fileName);
  return key;
}

/** The last segment of a file key: what the download paths carry. */
export const evidenceFileName = (fileKey: string): string => fileKey.slice(fileKey.lastIndexOf('/') + 1);

export interface EvidenceService {
  /**
   * An upload URL for one evidence file of an open duty, for whoever may submit it (its unit, the
   * office). The file is then listed in the submission as `{title, ref: fileKey}`.
   */
  createUpload(
    principal: Principal,
    dutyId: string,
    input: CreateEvidenceUploadInput,
    now: Date,
  ): Promise<EvidenceUpload>;
  /**
   * A short-lived download URL for one of a duty's evidence files, for whoever may read the duty
   * (its unit, the units above it, the office, leaders). 404 unless the key is this duty's and the
   * file is listed in its submission or stored.
   */
  createDownload(principal: Principal, dutyId: string, fileKey: string, now: Date): Promise<EvidenceDownload>;
  /**
   * An upload URL for a file kept with a 控辍保学 case (a 劝返通知书, a return's proof), for whoever
   * may do one of its steps (the school, its township, the office), while the case is open. The
   * file is then named in the step or the return as `名称(fileKey)`.
   */
  createCaseUpload(
    principal: Principal,
    caseId: string,
    input: CreateEvidenceUploadInput,
    now: Date,
  ): Promise<EvidenceUpload>;
  /**
   * A short-lived download URL for one of a case's files, for whoever may read the case; each one
   * is written to the audit trail (the file is about a child). 404 unless the key is this case's
   * and the file is named in the case or stored.
   */
  createCaseDownload(
    principal: Principal,
    caseId: string,
    fileKey: string,
    now: Date,
  ): Promise<EvidenceDownload>;
}

/** Who may add a file to a case: anyone who does one of its steps. */
const CASE_ACTS = ['case.act.school', 'case.act.township', 'case.act.bureau'] as const;

export function evidenceService(deps: {
  duties: DutyRepository;
  units: UnitRepository;
  store: EvidenceStore;
  /** A case's files live beside the duties' (`duties/<caseId>/…`), under the store's one grant. */
  cases: CaseRepository;
  /** @default a fresh time-ordered random id per file */
  newFileId?: (now: Date) => string;
}): EvidenceService {
  const { duties, units, store, cases } = deps;
  const newFileId = deps.newFileId ?? ((now: Date) => newId('f', now));

  /** An upload URL for a new file of `ownerId` (a duty or a case), bound to its key, type and size. */
  async function issueUpload(ownerId: string, input: CreateEvidenceUploadInput, now: Date) {
    const fileKey = evidenceFileKey({
      dutyId: ownerId,
      fileId: newFileId(now),
      fileName: input.fileName,
      contentType: input.contentType,
    });
    const target = await store.createUpload({
      key: fileKey,
      contentType: input.contentType,
      size: input.size,
      expiresInSeconds: EVIDENCE_UPLOAD_TTL_SECONDS,
      now,
    });
    return {
      uploadUrl: target.url,
      method: 'PUT' as const,
      headers: target.headers,
      fileKey,
      expiresAt: target.expiresAt.toISOString(),
      maxBytes: input.size,
    };
  }

  async function mustCase(caseId: string) {
    const found = await cases.get(caseId);
    if (found === undefined) throw new NotFoundError('案例', caseId);
    return found;
  }

  return {
    async createUpload(principal, dutyId, input, now) {
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      // Uploading evidence is part of submitting: the same permission.
      authorize(principal, 'duty.submit', await ownerContext(units, principal, duty.unitId));
      if (duty.status !== 'open') {
        throw new ConflictError(
          'duty_not_open',
          `任务当前为“${DUTY_STATUS_LABELS[duty.status]}”,只有待办的任务可以上传佐证材料`,
          { status: duty.status, statusLabel: DUTY_STATUS_LABELS[duty.status] },
        );
      }
      return issueUpload(duty.id, input, now);
    },

    async createDownload(principal, dutyId, fileKey, now) {
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.read', await ownerContext(units, principal, duty.unitId));
      const fileName = evidenceFileName(fileKey);
      // Another duty's key, a malformed one, or a file never uploaded: the same 404, saying nothing more.
      if (classifyEvidenceRef(fileKey, duty.id) !== 'own-file') throw new NotFoundError('佐证文件', fileName);
      const listed = duty.submission?.evidence.find((e) => e.ref === fileKey);
      if (listed === undefined && !(await store.exists(fileKey)))
        throw new NotFoundError('佐证文件', fileName);
      const target = await store.createDownload({
        key: fileKey,
        fileName: downloadName(fileKey, listed?.title),
        // A submitted file is served as the submission recorded it, or not at all.
        recorded: listed?.size === undefined ? undefined : { ...listed, size: listed.size },
        expiresInSeconds: EVIDENCE_DOWNLOAD_TTL_SECONDS,
        now,
      });
      return { downloadUrl: target.url, expiresAt: target.expiresAt.toISOString() };
    },

    async createCaseUpload(principal, caseId, input, now) {
      const r = await mustCase(caseId);
      const context = await ownerContext(units, principal, r.schoolUnitId);
      const refusals = CASE_ACTS.map((a) => decide(principal, a, context)).filter((d) => !d.allowed);
      if (refusals.length === CASE_ACTS.length) {
        throw new ForbiddenError(refusals[0]?.message ?? '只能为本校学生的案例上传材料');
      }
      if (r.returnedOn !== null) throw new ConflictError('case_closed', '该学生已复学,劝返已结束');
      return issueUpload(r.id, input, now);
    },

    async createCaseDownload(principal, caseId, fileKey, now) {
      const r = await mustCase(caseId);
      authorize(principal, 'case.read', await ownerContext(units, principal, r.schoolUnitId));
      const fileName = evidenceFileName(fileKey);
      if (classifyEvidenceRef(fileKey, r.id) !== 'own-file') throw new NotFoundError('材料文件', fileName);
      const kept = [
        ...(r.returnEvidence === null ? [] : [r.returnEvidence]),
        ...(await cases.steps(r.id)).flatMap((step) => step.evidence),
      ]
        .map(parseCaseEvidence)
        .find((e) => e.ref === fileKey);
      if (kept === undefined && !(await store.exists(fileKey))) throw new NotFoundError('材料文件', fileName);
      // Who opened which file about a child, written before the link is handed out.
      await cases.recordView(
        auditEvent(
          principal,
          'case.file',
          { type: 'case', id: r.id },
          { before: null, after: { schoolUnitId: r.schoolUnitId, fileKey } },
          now,
        ),
      );
      const target = await store.createDownload({
        key: fileKey,
        fileName: downloadName(fileKey, kept?.title),
        expiresInSeconds: EVIDENCE_DOWNLOAD_TTL_SECONDS,
        now,
      });
      return { downloadUrl: target.url, expiresAt: target.expiresAt.toISOString() };
    },
  };
}
