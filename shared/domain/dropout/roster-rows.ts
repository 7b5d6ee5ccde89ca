/**
 * The three rosters (三类花名册) a school files each semester, read from its own spreadsheet: one row
 * a child, the roster it belongs to in a column. Only the fields the ledger needs are read
 * (个人信息保护法: minimum collection); every other column is ignored. Pure.
 */
import { columnLetter } from '../import/header-map.js';

export const ROSTER_KINDS = ['no-registry', 'present-not-registered', 'registered-not-present'] as const;
export type RosterKind = (typeof ROSTER_KINDS)[number];

/** The rosters' names as the bureau's forms print them. */
export const ROSTER_KIND_LABELS: Record<RosterKind, string> = {
  'no-registry': '无学籍人员',
  'present-not-registered': '人在籍不在',
  'registered-not-present': '籍在人不在',
};

/** The columns of a roster file, by the names schools give them (any order; others are ignored). */
export const ROSTER_COLUMNS = {
  kind: { label: '花名册类别', names: ['花名册类别', '类别', '花名册', '人员类别', '花名册类型'] },
  name: { label: '姓名', names: ['姓名', '学生姓名', '儿童姓名'] },
  school: { label: '学校', names: ['学校', '学校名称', '所在学校'] },
  grade: { label: '年级', names: ['年级', '应在年级'] },
  className: { label: '班级', names: ['班级', '班'] },
  township: { label: '居住乡镇', names: ['居住乡镇', '户籍乡镇', '乡镇', '乡(镇)'] },
  village: { label: '居住村', names: ['居住村', '户籍村', '村', '村(社区)', '居住村(社区)'] },
  guardianName: { label: '监护人姓名', names: ['监护人姓名', '监护人', '家长姓名'] },
  guardianPhone: { label: '监护人电话', names: ['监护人电话', '联系电话', '家长电话', '监护人联系电话'] },
  registryNumber: { label: '学籍号', names: ['学籍号', '全国学籍号', '学籍号码'] },
  elsewhere: {
    label: '已核实在外就读',
    names: ['已核实在外就读', '核实在外就读', '在外就读', '是否在外就读'],
  },
} as const;

export type RosterColumn = keyof typeof ROSTER_COLUMNS;

const REQUIRED: readonly RosterColumn[] = ['kind', 'name', 'township', 'guardianName', 'guardianPhone'];

/** How far down the sheet the header row is looked for (a title line often comes first). */
const HEADER_ROWS = 10;

/** A mobile (11 digits from 1) or a landline with its area code, as the case form takes them. */
export const PHONE_PATTERN = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/;
/** 全国学籍号: 8–20 capital letters or digits (G + the identity number). */
export const REGISTRY_PATTERN = /^[A-Z0-9]{8,20}$/;

export interface RosterProblem {
  row: number;
  column: string | null;
  field: RosterColumn | 'row' | 'file';
  message: string;
}

/** One child as filed: what is stored (the identifying fields sealed) and shown (masked). */
export interface RosterChild {
  kind: RosterKind;
  childName: string;
  grade: string;
  className: string;
  residenceTownship: string;
  residenceVillage: string;
  guardianName: string;
  guardianPhone: string;
  registryNumber: string | null;
  verifiedElsewhere: boolean;
}

export interface RosterRow {
  row: number;
  child: RosterChild | null;
  problems: RosterProblem[];
}

export interface ReadRoster {
  headerRow: number | null;
  columns: Partial<Record<RosterColumn, string>>;
  rows: RosterRow[];
  problems: RosterProblem[];
}

const normalize = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

function rosterColumnOf(header: string): RosterColumn | undefined {
  const h = normalize(header);
  if (h === '') return undefined;
  return (Object.keys(ROSTER_COLUMNS) as RosterColumn[]).find((key) =>
    (ROSTER_COLUMNS[key].names as readonly string[]).some((name) => normalize(name) === h),
  );
}

const KIND_WORDS: Record<string, RosterKind> = {
  无学籍人员: 'no-registry',
  无学籍: 'no-registry',
  人在籍不在: 'present-not-registered',
  人在籍不在人员: 'present-not-registered',
  籍在人不在: 'registered-not-present',
  籍在人不在人员: 'registered-not-present',
};

const YES = new Set(['是', '已核实', 'Y', 'y', '√', '1', 'TRUE', 'true']);
const NO = new Set(['', '否', '未核实', 'N', 'n', '0', 'FALSE', 'false']);

/**
 * Reads a roster sheet: finds the header row (the one naming the required columns), then checks
 * each row below it. Every problem names the row and column as the spreadsheet shows them, in
 * Chinese; `school` is the filing school, which a 学校 column (when there is one) must name.
 */
export function readRoster(
  table: readonly { row: number; cells: readonly string[] }[],
  school: { id: string; name: string },
): ReadRoster {
  let header: { index: number; columns: Partial<Record<RosterColumn, number>> } | undefined;
  for (let i = 0; i < Math.min(table.length, HEADER_ROWS) && header === undefined; i++) {
    const columns: Partial<Record<RosterColumn, number>> = {};
    (table[i]?.cells ?? []).forEach((cell, c) => {
      const key = rosterColumnOf(cell);
      if (key !== undefined && columns[key] === undefined) columns[key] = c;
    });
    if (REQUIRED.every((k) => columns[k] !== undefined)) header = { index: i, columns };
  }
  if (header === undefined) {
    const need = REQUIRED.map((k) => ROSTER_COLUMNS[k].label).join('”“');
    return {
      headerRow: null,
      columns: {},
      rows: [],
      problems: [
        {
          row: table[0]?.row ?? 1,
          column: null,
          field: 'file',
          message: `前 ${HEADER_ROWS} 行中找不到表头:须有“${need}”列`,
        },
      ],
    };
  }
  const { columns } = header;
  const letters = Object.fromEntries(
    Object.entries(columns).map(([k, c]) => [k, columnLetter(c)]),
  ) as Partial<Record<RosterColumn, string>>;
  const rows = table.slice(header.index + 1).map((r) => checkRow(r, columns, letters, school));
  return {
    headerRow: table[header.index]?.row ?? null,
    columns: letters,
    rows,
    problems: rows.flatMap((r) => r.problems),
  };
}

function checkRow(
  r: { row: number; cells: readonly string[] },
  columns: Partial<Record<RosterColumn, number>>,
  letters: Partial<Record<RosterColumn, string>>,
  school: { id: string; name: string },
): RosterRow {
  const problems: RosterProblem[] = [];
  const cell = (k: RosterColumn) => {
    const c = columns[k];
    return c === undefined ? '' : (r.cells[c] ?? '').trim();
  };
  const problem = (field: RosterColumn, message: string) =>
    problems.push({
      row: r.row,
      column: letters[field] ?? null,
      field,
      message:
        letters[field] === undefined
          ? `第 ${r.row} 行(表中没有“${ROSTER_COLUMNS[field].label}”列):${message}`
          : `第 ${r.row} 行 ${letters[field]} 列(${ROSTER_COLUMNS[field].label}):${message}`,
    });
  const required = (field: RosterColumn, max: number) => {
    const v = cell(field);
    if (v === '') problem(field, '不能为空');
    else if ([...v].length > max) problem(field, `最多 ${max} 个字`);
    return v;
  };
  const optional = (field: RosterColumn, max: number) => {
    const v = cell(field);
    if ([...v].length > max) problem(field, `最多 ${max} 个字`);
    return v;
  };

  const kindText = normalize(cell('kind'));
  const kind = KIND_WORDS[kindText];
  if (kind === undefined) {
    problem(
      'kind',
      kindText === ''
        ? '不能为空,应为“无学籍人员”“人在籍不在”或“籍在人不在”'
        : `“${kindText}”不是花名册类别,应为“无学籍人员”“人在籍不在”或“籍在人不在”`,
    );
  }
  const childName = required('name', 30);
  const schoolText = cell('school');
  if (schoolText !== '' && schoolText !== school.name && schoolText !== school.id) {
    problem('school', `“${schoolText}”不是本校(${school.name}),只能报送本校的花名册`);
  }
  const grade = optional('grade', 20);
  const className = optional('className', 20);
  const residenceTownship = required('township', 30);
  const residenceVillage = optional('village', 50);
  const guardianName = required('guardianName', 30);
  const guardianPhone = cell('guardianPhone').replace(/\s+/g, '');
  if (guardianPhone === '') problem('guardianPhone', '不能为空');
  else if (!PHONE_PATTERN.test(guardianPhone))
    problem('guardianPhone', `“${guardianPhone}”应为 11 位手机号或带区号的固定电话`);
  const registryText = cell('registryNumber').toUpperCase();
  if (registryText !== '' && !REGISTRY_PATTERN.test(registryText)) {
    problem('registryNumber', `“${registryText}”应为 8–20 位大写字母或数字`);
  } else if (registryText === '' && kind === 'registered-not-present') {
    problem('registryNumber', '籍在人不在人员须填写学籍号');
  }
  const elsewhereText = cell('elsewhere');
  if (!YES.has(elsewhereText) && !NO.has(elsewhereText)) {
    problem('elsewhere', `“${elsewhereText}”应为“是”或“否”(留空为否)`);
  }
  if (problems.length > 0 || kind === undefined) return { row: r.row, child: null, problems };
  return {
    row: r.row,
    problems,
    child: {
      kind,
      childName,
      grade,
      className,
      residenceTownship,
      residenceVillage,
      guardianName,
      guardianPhone,
      registryNumber: registryText === '' ? null : registryText,
      verifiedElsewhere: YES.has(elsewhereText),
    },
  };
}
