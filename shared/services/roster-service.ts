import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type {
  LedgerScope,
  RosterEntryRecord,
  RosterRepository,
  SemesterRecord,
} from '../db/roster-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import {
  ROSTER_KIND_LABELS,
  ROSTER_KINDS,
  type RosterProblem,
  readRoster,
} from '../domain/dropout/roster-rows.js';
import { maskName, maskPhone, maskRegistryNumber } from '../domain/privacy/mask.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Table } from '../export/report-table.js';
import { readTable } from '../import/read-table.js';
import { type CipherSource, cipherLoader } from '../privacy/field-cipher.js';
import type { LedgerQuery, RosterEntry, RosterPreview, RosterResult } from '../schemas/rosters.js';
import { authorize } from './access.js';
import type { DutyService } from './duty-service.js';
import { rosterTaskId } from './semester-service.js';
import { ancestorsOf, ownerContext } from './unit-tree.js';

/** Committing a roster with any problem: 400, nothing written, every problem listed. */
export class RosterProblemsError extends AppError {
  constructor(problems: RosterProblem[]) {
    super(
      400,
      'import_has_errors',
      `花名册有 ${problems.length} 处错误,未导入任何人员:${problems[0]?.message ?? ''}`,
      {
        fields: problems.map((p) => ({
          field: p.column === null ? `rows.${p.row}` : `rows.${p.row}.${p.field}`,
          message: p.message,
        })),
        problems,
      },
    );
  }
}

/** A child's entry id, fixed by semester, school, file and row: a repeat writes the same entry once. */
export function rosterEntryId(semesterId: string, schoolUnitId: string, sha256: string, row: number): string {
  const digest = createHash('sha256')
    .update(`roster|${semesterId}|${schoolUnitId}|${sha256}|${row}`)
    .digest('hex');
  return `roster-${digest.slice(0, 24)}`;
}

/** The associated data binding a ciphertext to its entry and field. */
const fieldOf = (entryId: string, field: string) => `roster:${entryId}:${field}`;

export interface RosterQuery {
  semester: string;
  school?: string | undefined;
}

export interface RosterService {
  /** Reads and checks a school's roster file for a semester; writes nothing. */
  preview(principal: Principal, query: RosterQuery, file: Uint8Array, now: Date): Promise<RosterPreview>;
  /**
   * Writes every child of the file (sealed), once per file and row, and files the school's 报送三类花名册
   * duty (a submission on the ladder). Any problem: 400, nothing written.
   */
  commit(
    principal: Principal,
    query: RosterQuery,
    file: Uint8Array,
    now: Date,
    fileName?: string | null,
  ): Promise<RosterResult>;
  /** 疑似失学辍学人员台账: one page, masked; a school sees its own, a township its schools'. */
  ledger(
    principal: Principal,
    query: Omit<LedgerQuery, 'limit' | 'cursor'>,
    page: PageRequest,
  ): Promise<Page<RosterEntry>>;
  /** The same ledger whole, as a table with Chinese headers (masked); every export is audited. */
  exportLedger(
    principal: Principal,
    query: Omit<LedgerQuery, 'limit' | 'cursor'>,
    now: Date,
  ): Promise<{ table: Table; fileName: string }>;
  /**
   * One child of the school's own roster whole, to start a 控辍保学 case from (the case form comes
   * filled in): only the school itself; each such view is written to the audit trail.
   */
  childForCase(
    principal: Principal,
    query: { semester: string; entry: string },
    now: Date,
  ): Promise<RosterChild>;
}

/** A roster child whole, as a case form takes it. */
export interface RosterChild {
  entryId: string;
  childName: string;
  guardianName: string;
  guardianPhone: string;
  village: string | null;
  registryNumber: string | null;
  grade: string;
  className: string;
  schoolUnitId: string;
  townshipUnitId: string | null;
}

export function rosterService(deps: {
  rosters: RosterRepository;
  units: UnitRepository;
  duties: DutyRepository;
  dutyService: DutyService;
  /** The key of children's data (see caseService); without one rosters cannot be filed (503). */
  cipher: CipherSource;
}): RosterService {
  const { rosters, units, duties, dutyService } = deps;

  const cipher = cipherLoader(deps.cipher, '个人信息加密密钥未配置,暂不能报送花名册');

  async function mustSemester(semesterId: string): Promise<SemesterRecord> {
    const found = await rosters.getSemester(semesterId);
    if (found === undefined) throw new NotFoundError('学期', semesterId);
    return found;
  }

  /** The filing school: the caller's own unit, or (the office) the one named. */
  async function schoolOf(principal: Principal, query: RosterQuery) {
    const schoolId = query.school ?? principal.unitId;
    if (schoolId === undefined) {
      throw new ValidationError('请指明报送学校', [{ field: 'school', message: '请指明报送花名册的学校' }]);
    }
    authorize(principal, 'case.create', schoolId);
    const school = await units.get(schoolId);
    if (school === undefined || !school.active) throw new NotFoundError('学校', schoolId);
    return school;
  }

  /** The township a school sits in (its nearest ancestor of that kind), or null. */
  async function townshipOf(schoolUnitId: string): Promise<string | null> {
    const chain = await ancestorsOf(units, schoolUnitId);
    const found = await units.getMany(chain);
    return chain.find((id) => found.get(id)?.kind === 'township') ?? null;
  }

  function entryView(e: RosterEntryRecord): RosterEntry {
    return {
      id: e.id,
      row: e.row,
      kind: e.kind,
      kindLabel: ROSTER_KIND_LABELS[e.kind],
      childNameMasked: e.masked.childName,
      guardianNameMasked: e.masked.guardianName,
      guardianPhoneMasked: e.masked.guardianPhone,
      registryNumberMasked: e.masked.registryNumber,
      grade: e.grade,
      className: e.className,
      residenceTownship: e.residenceTownship,
      verifiedElsewhere: e.verifiedElsewhere,
      schoolUnitId: e.schoolUnitId,
      townshipUnitId: e.townshipUnitId,
    };
  }

  async function check(principal: Principal, query: RosterQuery, file: Uint8Array, now: Date) {
    const school = await schoolOf(principal, query);
    const semester = await mustSemester(query.semester);
    if (!semester.schoolUnitIds.includes(school.id)) {
      throw new NotFoundError('本学期报送花名册的学校', school.id);
    }
    const sha256 = createHash('sha256').update(file).digest('hex');
    const [table, before, townshipUnitId] = await Promise.all([
      readTable(file),
      rosters.getImport(semester.id, school.id, sha256),
      townshipOf(school.id),
    ]);
    const read = readRoster(table.rows, school);
    const importedAt = now.toISOString();
    // Sealed only when it is to be written: a preview holds nothing whole but what it shows masked.
    const entries = read.rows.flatMap((r): Omit<RosterEntryRecord, 'sealed'>[] => {
      const c = r.child;
      if (c === null) return [];
      return [
        {
          id: rosterEntryId(semester.id, school.id, sha256, r.row),
          semesterId: semester.id,
          schoolUnitId: school.id,
          townshipUnitId,
          kind: c.kind,
          grade: c.grade,
          className: c.className,
          residenceTownship: c.residenceTownship,
          verifiedElsewhere: c.verifiedElsewhere,
          masked: {
            childName: maskName(c.childName),
            guardianName: maskName(c.guardianName),
            guardianPhone: maskPhone(c.guardianPhone),
            registryNumber: c.registryNumber === null ? null : maskRegistryNumber(c.registryNumber),
          },
          sha256,
          row: r.row,
          importedAt,
          importedBy: principal.sub,
        },
      ];
    });
    const counts = Object.fromEntries(
      ROSTER_KINDS.map((k) => [k, entries.filter((e) => e.kind === k && !e.verifiedElsewhere).length]),
    );
    const preview: RosterPreview = {
      semesterId: semester.id,
      schoolUnitId: school.id,
      sha256,
      format: table.format,
      sheetName: table.sheetName,
      encoding: table.encoding,
      notices: table.notices,
      headerRow: read.headerRow,
      columns: read.columns as Record<string, string>,
      entries: entries.map((e) => entryView({ ...e, sealed: NO_SEAL })),
      counts,
      problems: read.problems,
      committedBefore: before !== undefined,
    };
    return { semester, preview, read, entries };
  }

  /** The filing duty of the school for the semester, submitted by the filing (if still open). */
  async function fileDuty(
    principal: Principal,
    semester: SemesterRecord,
    schoolUnitId: string,
    counts: Record<string, number>,
    now: Date,
  ): Promise<string | null> {
    const duty = (await duties.ofTask(rosterTaskId(semester.id, schoolUnitId))).find(
      (d) => d.unitId === schoolUnitId,
    );
    if (duty === undefined) return null;
    if (duty.status !== 'open') return duty.id;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const words = ROSTER_KINDS.map((k) => `${ROSTER_KIND_LABELS[k]} ${counts[k] ?? 0} 人`).join(',');
    try {
      await dutyService.submit(
        principal,
        duty.id,
        { note: `已报送${semester.name}三类花名册:${words}。`, evidence: [], nothingToReport: total === 0 },
        now,
      );
    } catch (err) {
      // A concurrent filing (the same file sent twice at once) submitted it first: filed all the same.
      if (!(err instanceof ConflictError) || (await duties.get(duty.id))?.status === 'open') throw err;
    }
    return duty.id;
  }

  async function scopeOf(
    principal: Principal,
    query: { township?: string | undefined; school?: string | undefined },
  ): Promise<LedgerScope> {
    if (principal.role !== 'unit') {
      if (query.school !== undefined) return { by: 'school', unitId: query.school };
      if (query.township !== undefined) return { by: 'township', unitId: query.township };
      return { by: 'county' };
    }
    const own = principal.unitId ?? '';
    if (query.school !== undefined) {
      authorize(principal, 'case.read', await ownerContext(units, principal, query.school));
      return { by: 'school', unitId: query.school };
    }
    if (query.township !== undefined) {
      authorize(principal, 'case.read', { ownerUnitId: query.township });
      return { by: 'township', unitId: query.township };
    }
    return (await units.get(own))?.kind === 'township'
      ? { by: 'township', unitId: own }
      : { by: 'school', unitId: own };
  }

  return {
    async preview(principal, query, file, now) {
      return (await check(principal, query, file, now)).preview;
    },

    async commit(principal, query, file, now, fileName = null) {
      const { semester, preview, read, entries } = await check(principal, query, file, now);
      if (read.problems.length > 0) throw new RosterProblemsError(read.problems);
      const sealer = await cipher();
      const byRow = new Map(read.rows.map((r) => [r.row, r.child]));
      const sealed: RosterEntryRecord[] = entries.map((e) => {
        const c = byRow.get(e.row);
        if (c === null || c === undefined) throw new Error(`row ${e.row} lost its child`);
        const seal = (field: string, value: string) => sealer.encrypt(value, fieldOf(e.id, field));
        return {
          ...e,
          sealed: {
            childName: seal('childName', c.childName),
            guardianName: seal('guardianName', c.guardianName),
            guardianPhone: seal('guardianPhone', c.guardianPhone),
            residenceVillage: c.residenceVillage === '' ? null : seal('residenceVillage', c.residenceVillage),
            registryNumber: c.registryNumber === null ? null : seal('registryNumber', c.registryNumber),
          },
        };
      });
      // Recorded (and audited with the file's SHA-256) once, before the entries: a retry after a
      // crash finds it and writes the entries still missing.
      await rosters.recordImport(
        {
          semesterId: semester.id,
          schoolUnitId: preview.schoolUnitId,
          sha256: preview.sha256,
          fileName,
          rows: sealed.length,
          entryIds: sealed.map((e) => e.id),
          committedAt: now.toISOString(),
          committedBy: principal.sub,
        },
        // The trail says which file and how many, never whom.
        auditEvent(
          principal,
          'roster.import',
          { type: 'roster', id: `${semester.id}:${preview.schoolUnitId}` },
          {
            before: null,
            after: {
              sha256: preview.sha256,
              fileName,
              format: preview.format,
              rows: sealed.length,
              counts: preview.counts,
            },
          },
          now,
        ),
      );
      const written = await rosters.putEntries(sealed);
      // A later file is the school's roster for the kinds it holds: the rows of those rosters from
      // earlier files go (deleted, not kept aside: a replaced child's data is not kept). Done after
      // the new rows are in, so the ledger never lacks a roster the school filed.
      const kinds = new Set(sealed.map((e) => e.kind));
      const replaced = (await rosters.entriesOf(semester.id, preview.schoolUnitId)).filter(
        (e) => kinds.has(e.kind) && e.sha256 !== preview.sha256,
      );
      await rosters.deleteEntries(replaced);
      const dutyId = await fileDuty(principal, semester, preview.schoolUnitId, preview.counts, now);
      return { ...preview, written, replaced: replaced.length, dutyId };
    },

    async ledger(principal, query, page) {
      await mustSemester(query.semester);
      const scope = await scopeOf(principal, query);
      const found = await rosters.ledger(query.semester, scope, page);
      return { items: found.items.map(entryView), nextCursor: found.nextCursor };
    },

    async exportLedger(principal, query, now) {
      const semester = await mustSemester(query.semester);
      const scope = await scopeOf(principal, query);
      const entries: RosterEntryRecord[] = [];
      for await (const items of rosters.ledgerPages(semester.id, scope)) entries.push(...items);
      const names = await units.getMany([
        ...new Set(
          entries.flatMap((e) => [e.schoolUnitId, ...(e.townshipUnitId === null ? [] : [e.townshipUnitId])]),
        ),
      ]);
      const nameOf = (id: string | null) => (id === null ? '' : (names.get(id)?.name ?? id));
      await rosters.recordView(
        auditEvent(
          principal,
          'roster.export',
          { type: 'roster', id: `${semester.id}:${scope.by === 'county' ? 'county' : scope.unitId}` },
          { before: null, after: { semesterId: semester.id, scope: scope.by, rows: entries.length } },
          now,
        ),
      );
      const text = (header: string, width: number) => ({ header, width, kind: 'text' as const });
      return {
        fileName: `疑似失学辍学人员台账-${semester.name}`,
        table: {
          title: '疑似失学辍学人员台账',
          heading: `疑似失学辍学人员台账(${semester.name})`,
          columns: [
            { header: '序号', width: 6, kind: 'int' },
            text('乡镇', 14),
            text('学校', 22),
            text('花名册类别', 12),
            text('姓名', 10),
            text('年级', 8),
            text('班级', 8),
            text('居住乡镇', 12),
            text('监护人', 10),
            text('监护人电话', 14),
            text('学籍号', 22),
          ],
          rows: entries.map((e, i) => [
            i + 1,
            nameOf(e.townshipUnitId),
            nameOf(e.schoolUnitId),
            ROSTER_KIND_LABELS[e.kind],
            e.masked.childName,
            e.grade,
            e.className,
            e.residenceTownship,
            e.masked.guardianName,
            e.masked.guardianPhone,
            e.masked.registryNumber ?? '',
          ]),
        },
      };
    },

    async childForCase(principal, query, now) {
      const semester = await mustSemester(query.semester);
      const school = await schoolOf(principal, { semester: semester.id });
      let found: RosterEntryRecord | undefined;
      for await (const items of rosters.ledgerPages(semester.id, { by: 'school', unitId: school.id })) {
        found = items.find((e) => e.id === query.entry);
        if (found !== undefined) break;
      }
      if (found === undefined) throw new NotFoundError('花名册人员', query.entry);
      const opener = await cipher();
      const entry = found;
      const open = (field: string, value: string) => opener.decrypt(value, fieldOf(entry.id, field));
      await rosters.recordView(
        auditEvent(
          principal,
          'roster.view',
          { type: 'roster', id: `${semester.id}:${school.id}` },
          { before: null, after: { entryId: entry.id, purpose: 'case' } },
          now,
        ),
      );
      return {
        entryId: entry.id,
        childName: open('childName', entry.sealed.childName),
        guardianName: open('guardianName', entry.sealed.guardianName),
        guardianPhone: open('guardianPhone', entry.sealed.guardianPhone),
        village:
          entry.sealed.residenceVillage === null
            ? null
            : open('residenceVillage', entry.sealed.residenceVillage),
        registryNumber:
          entry.sealed.registryNumber === null ? null : open('registryNumber', entry.sealed.registryNumber),
        grade: entry.grade,
        className: entry.className,
        schoolUnitId: entry.schoolUnitId,
        townshipUnitId: entry.townshipUnitId,
      };
    },
  };
}

/** A preview's entries carry no ciphertext: nothing is sealed before a commit. */
const NO_SEAL: RosterEntryRecord['sealed'] = {
  childName: '',
  guardianName: '',
  guardianPhone: '',
  residenceVillage: null,
  registryNumber: null,
};
