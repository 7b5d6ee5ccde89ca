/**
 * 留守儿童关爱档案 (一人一案): the school keeps one file per left-behind child with its support
 * records. Kept like a dropout case: identifying fields sealed with their own key, masked in lists,
 * every whole view audited, read by the school, its township, the office and leaders only.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CareFileRecord, CareFileRepository, CareRecordRecord } from '../db/care-file-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { AWAY_LABELS, CARE_RECORD_LABELS } from '../domain/care/care-file.js';
import { maskName, maskPhone } from '../domain/privacy/mask.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { type CipherSource, cipherLoader } from '../privacy/field-cipher.js';
import type {
  CareFile,
  CareFileListItem,
  CareRecord,
  CareRecordResult,
  CreateCareFileInput,
  CreateCareRecordInput,
  ListCareFilesQuery,
} from '../schemas/care-files.js';
import { authorize } from './access.js';
import type { PairDutyLinks } from './pair-duties.js';
import { childListingScope, ownerContext, schoolTownshipProblems } from './unit-tree.js';

export interface CareFileService {
  /** The school files a left-behind child's care file; answers it as lists show it. */
  create(principal: Principal, input: CreateCareFileInput, now: Date): Promise<CareFileListItem>;
  /** Care files the caller may see, masked. */
  list(
    principal: Principal,
    query: Omit<ListCareFilesQuery, 'limit' | 'cursor'>,
    page: PageRequest,
  ): Promise<Page<CareFileListItem>>;
  /** The whole file with its records and pairs; every such view is written to the audit trail first. */
  view(principal: Principal, careFileId: string, now: Date): Promise<CareFile>;
  /**
   * Appends a support record (date, who, what was done); with a pair, it also submits the pair's
   * duty for the record's period (see pair-duties.ts).
   */
  addRecord(
    principal: Principal,
    careFileId: string,
    input: CreateCareRecordInput,
    now: Date,
  ): Promise<CareRecordResult>;
  /** The stored file, after checking the caller may act on it (a pair's setup reads it). */
  mustGet(
    principal: Principal,
    careFileId: string,
    action: 'care.read' | 'care.write',
  ): Promise<CareFileRecord>;
}

/** The associated data that binds a ciphertext to its care file and field. */
const fieldOf = (careFileId: string, field: string) => `care-file:${careFileId}:${field}`;

export function careFileService(deps: {
  careFiles: CareFileRepository;
  units: UnitRepository;
  cipher: CipherSource;
  pairDuties: PairDutyLinks;
  timeZone?: string;
}): CareFileService {
  const { careFiles, units, pairDuties } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const cipher = cipherLoader(deps.cipher, '个人信息加密密钥未配置,暂不能办理留守儿童关爱档案');

  async function mustGet(principal: Principal, careFileId: string, action: 'care.read' | 'care.write') {
    const found = await careFiles.get(careFileId);
    if (found === undefined) throw new NotFoundError('关爱档案', careFileId);
    authorize(principal, action, await ownerContext(units, principal, found.schoolUnitId));
    return found;
  }

  return {
    mustGet,

    async create(principal, input, now) {
      authorize(principal, 'care.write', await ownerContext(units, principal, input.schoolUnitId));
      const problems = await schoolTownshipProblems(units, input);
      if (problems.length > 0) throw new ValidationError('关爱档案信息有误', problems);
      const id = newId('care', now);
      const sealer = await cipher();
      const seal = (field: string, value: string) => sealer.encrypt(value, fieldOf(id, field));
      const record: CareFileRecord = {
        id,
        schoolUnitId: input.schoolUnitId,
        townshipUnitId: input.townshipUnitId,
        grade: input.grade,
        className: input.className,
        away: input.away,
        guardianRelation: input.guardian.relation ?? null,
        sealed: {
          childName: seal('childName', input.childName),
          village: seal('village', input.village),
          guardianName: seal('guardianName', input.guardian.name),
          guardianPhone: seal('guardianPhone', input.guardian.phone),
        },
        masked: { childName: maskName(input.childName), guardianPhone: maskPhone(input.guardian.phone) },
        createdAt: now.toISOString(),
        createdBy: principal.sub,
      };
      // The trail says what happened and where, never whom: no identifying field, sealed or not.
      const after = {
        schoolUnitId: record.schoolUnitId,
        townshipUnitId: record.townshipUnitId,
        grade: record.grade,
        className: record.className,
        away: record.away,
      };
      const stored = await careFiles.create(
        record,
        auditEvent(principal, 'care-file.create', { type: 'care-file', id }, { before: null, after }, now),
      );
      if (!stored) throw new ConflictError('duplicate_id', '档案编号冲突,请重试');
      return listItem(record);
    },

    async list(principal, query, page) {
      const { scope, townshipFilter } = await childListingScope(units, principal, query, (ownerUnitId) =>
        authorize(principal, 'care.read', { ownerUnitId }),
      );
      const found = await careFiles.list(
        scope.by === 'school' ? { ...scope, townshipUnitId: townshipFilter } : scope,
        page,
      );
      return { items: found.items.map(listItem), nextCursor: found.nextCursor };
    },

    async view(principal, careFileId, now) {
      const r = await mustGet(principal, careFileId, 'care.read');
      const opener = await cipher();
      const open = (field: string, value: string) => opener.decrypt(value, fieldOf(r.id, field));
      const [records, pairs] = await Promise.all([
        careFiles.records(r.id),
        careFiles.pairs({ kind: 'care-file', id: r.id }),
      ]);
      const { childNameMasked: _name, guardianPhoneMasked: _phone, ...facts } = listItem(r);
      const periods = await pairDuties.current(pairs, r.schoolUnitId, localDateOf(now, timeZone), now);
      const whole: CareFile = {
        ...facts,
        childName: open('childName', r.sealed.childName),
        village: open('village', r.sealed.village),
        guardian: {
          name: open('guardianName', r.sealed.guardianName),
          phone: open('guardianPhone', r.sealed.guardianPhone),
          relation: r.guardianRelation,
        },
        records: records.map((s) => recordView(s, open(`record:${s.id}:content`, s.sealedContent))),
        pairs: pairs.map(({ child: _child, ...pair }) => ({
          ...pair,
          thisWeek: periods.get(pair.planId)?.thisWeek ?? null,
          thisMonth: periods.get(pair.planId)?.thisMonth ?? null,
        })),
        createdBy: r.createdBy,
      };
      // Who saw whom, and when: written before anything is shown, so no view goes unrecorded.
      await careFiles.recordView(
        auditEvent(
          principal,
          'care-file.view',
          { type: 'care-file', id: r.id },
          { before: null, after: { schoolUnitId: r.schoolUnitId } },
          now,
        ),
      );
      return whole;
    },

    async addRecord(principal, careFileId, input, now) {
      const r = await mustGet(principal, careFileId, 'care.write');
      const today = localDateOf(now, timeZone);
      if (input.date > today) {
        throw new ValidationError('帮扶日期有误', [{ field: 'date', message: '帮扶日期不能晚于今天' }]);
      }
      const id = newId('record', now);
      const record: CareRecordRecord = {
        id,
        careFileId: r.id,
        kind: input.kind,
        date: input.date,
        by: input.by,
        sealedContent: (await cipher()).encrypt(input.content, fieldOf(r.id, `record:${id}:content`)),
        recordedAt: now.toISOString(),
        recordedBy: principal.sub,
      };
      const stored = await careFiles.addRecord(
        record,
        auditEvent(
          principal,
          'care-file.record',
          { type: 'care-file', id: r.id },
          { before: null, after: { recordId: id, kind: input.kind, date: input.date } },
          now,
        ),
      );
      if (!stored) throw new ConflictError('duplicate_id', '记录编号冲突,请重试');
      // The record is kept first: whatever the pair's duty does, the teacher's work is not lost.
      const linked = await pairDuties.submitFor(
        principal,
        {
          pairs: await careFiles.pairs({ kind: 'care-file', id: r.id }),
          schoolUnitId: r.schoolUnitId,
          childNameMasked: r.masked.childName,
        },
        record,
        now,
      );
      return { ...recordView(record, input.content), ...linked };
    },
  };
}

function listItem(r: CareFileRecord): CareFileListItem {
  return {
    id: r.id,
    childNameMasked: r.masked.childName,
    guardianPhoneMasked: r.masked.guardianPhone,
    grade: r.grade,
    className: r.className,
    schoolUnitId: r.schoolUnitId,
    townshipUnitId: r.townshipUnitId,
    away: r.away,
    awayLabel: AWAY_LABELS[r.away],
    createdAt: r.createdAt,
  };
}

function recordView(s: CareRecordRecord, content: string): CareRecord {
  return {
    id: s.id,
    careFileId: s.careFileId,
    kind: s.kind,
    label: CARE_RECORD_LABELS[s.kind],
    date: s.date,
    by: s.by,
    content,
    recordedAt: s.recordedAt,
    recordedBy: s.recordedBy,
  };
}
