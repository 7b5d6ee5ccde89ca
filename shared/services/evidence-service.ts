import type { Principal } from '../auth/principal.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import { evidenceFileKey } from '../domain/evidence/file-key.js';
import { EVIDENCE_UPLOAD_TTL_SECONDS } from '../domain/evidence/limits.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import { newId } from '../ids.js';
import type { CreateEvidenceUploadInput, EvidenceUpload } from '../schemas/evidence.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

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
}

export function evidenceService(deps: {
  duties: DutyRepository;
  units: UnitRepository;
  store: EvidenceStore;
  /** @default a fresh time-ordered random id per file */
  newFileId?: (now: Date) => string;
}): EvidenceService {
  const { duties, units, store } = deps;
  const newFileId = deps.newFileId ?? ((now: Date) => newId('f', now));

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
      const fileKey = evidenceFileKey({
        dutyId: duty.id,
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
        method: 'PUT',
        headers: target.headers,
        fileKey,
        expiresAt: target.expiresAt.toISOString(),
        maxBytes: input.size,
      };
    },
  };
}
