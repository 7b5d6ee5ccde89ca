import { describe, expect, it } from 'vitest';
import { rosterLedgerKeys } from '../../shared/db/keys.js';
import { readRoster } from '../../shared/domain/dropout/roster-rows.js';

const SCHOOL = { id: 's1', name: '城关一小' };
const rows = (...lines: string[][]) => lines.map((cells, i) => ({ row: i + 1, cells }));

describe('reading a roster sheet', () => {
  it('finds the header under a title, in any order and with other names, ignoring other columns', () => {
    const read = readRoster(
      rows(
        ['城关一小三类花名册'],
        ['联系电话', '学生姓名', '备注', '类别', '乡(镇)', '监护人', '身份证号'],
        ['13812345678', '张小明', '随父母外出', ' 籍在人不在 ', '城关镇', '张大山', '620102201203150012'],
      ),
      SCHOOL,
    );
    expect(read.problems.map((p) => p.message)).toEqual([
      '第 3 行(表中没有“学籍号”列):籍在人不在人员须填写学籍号',
    ]);
    expect(read.headerRow).toBe(2);
    expect(read.columns).toEqual({
      guardianPhone: 'A',
      name: 'B',
      kind: 'D',
      township: 'E',
      guardianName: 'F',
    });
    // 籍在人不在 without a registry column: the number is missing, so the row is refused.
    expect(read.rows[0]?.child).toBeNull();
  });

  it('reads a good row whole, with the verified-elsewhere flag', () => {
    const read = readRoster(
      rows(
        ['花名册类别', '姓名', '居住乡镇', '监护人姓名', '监护人电话', '学籍号', '已核实在外就读'],
        ['人在籍不在', '王芳', '河西镇', '王强', '0931-8123456', 'g110101201203150012', '是'],
      ),
      SCHOOL,
    );
    expect(read.rows[0]?.child).toEqual({
      kind: 'present-not-registered',
      childName: '王芳',
      grade: '',
      className: '',
      residenceTownship: '河西镇',
      residenceVillage: '',
      guardianName: '王强',
      guardianPhone: '0931-8123456',
      registryNumber: 'G110101201203150012',
      verifiedElsewhere: true,
    });
  });

  it('names the file when no header has the required columns', () => {
    const read = readRoster(rows(['姓名', '年级'], ['张小明', '三年级']), SCHOOL);
    expect(read.rows).toEqual([]);
    expect(read.problems).toEqual([
      {
        row: 1,
        column: null,
        field: 'file',
        message: '前 10 行中找不到表头:须有“花名册类别”“姓名”“居住乡镇”“监护人姓名”“监护人电话”列',
      },
    ]);
  });

  it('gives each bad cell its row, column and a Chinese message', () => {
    const read = readRoster(
      rows(
        ['花名册类别', '姓名', '学校', '居住乡镇', '监护人姓名', '监护人电话'],
        ['辍学', '张'.repeat(31), '河西中学', '', '张大山', '138 1234 5678'],
      ),
      SCHOOL,
    );
    expect(read.problems.map((p) => `${p.row}${p.column}:${p.field}`)).toEqual([
      '2A:kind',
      '2B:name',
      '2C:school',
      '2D:township',
    ]);
    expect(read.problems[1]?.message).toBe('第 2 行 B 列(姓名):最多 30 个字');
  });
});

describe('the ledger keys of a roster entry', () => {
  const entry = {
    semesterId: '2026-autumn',
    schoolUnitId: 's1',
    townshipUnitId: 'town1',
    kind: 'no-registry',
    id: 'roster-1',
    verifiedElsewhere: false,
  };

  it('files a child under its school, its township and the county, ordered by township and school', () => {
    expect(rosterLedgerKeys(entry)).toEqual({
      gsi1pk: 'LEDGER#2026-autumn#SCHOOL#s1',
      gsi1sk: 'no-registry#roster-1',
      gsi2pk: 'LEDGER#2026-autumn#TOWNSHIP#town1',
      gsi2sk: 's1#no-registry#roster-1',
      gsi3pk: 'LEDGER#2026-autumn',
      gsi3sk: 'town1#s1#no-registry#roster-1',
    });
  });

  it('keeps a child verified as studying elsewhere off the ledger, and a school under no township last', () => {
    expect(rosterLedgerKeys({ ...entry, verifiedElsewhere: true })).toEqual({});
    const keys: Record<string, string | undefined> = rosterLedgerKeys({ ...entry, townshipUnitId: null });
    expect(keys.gsi2pk).toBeUndefined();
    expect(keys.gsi3sk).toBe('~#s1#no-registry#roster-1');
  });
});
