import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { UnitKind } from '../../shared/schemas/units.js';
import type { UnitService } from '../../shared/services/unit-service.js';
import { collect } from './collect.js';
import type { LocalSignIn, SignInUser } from './web-options.js';

const GROUPS: Record<UnitKind, string> = {
  bureau: '县直单位',
  other: '县直单位',
  section: '局机关股室',
  township: '乡镇',
  village: '村(社区)',
  school: '学校',
};

const GROUP_ORDER = ['县直单位', '局机关股室', '乡镇', '村(社区)', '学校'];

// Reads the directory with read-only rights: the sign-in page lists units, it never changes them.
const READER: Principal = { sub: 'local-sign-in', role: 'leader' };

/**
 * The demo sign-in of the local runtime: the office, a leader, and one clerk per active unit of the
 * directory (read when the page is shown, so units added later appear). Tokens are the same HS256
 * tokens the API takes, signed with the local secret.
 */
export function localSignIn(deps: { units: UnitService; secret: string }): LocalSignIn {
  return {
    async users() {
      // Every unit, every page: a unit past a cap would have no way to sign in.
      const { items } = await collect(
        (page) => deps.units.list(READER, page),
        Number.POSITIVE_INFINITY,
        1000,
      );
      const people: SignInUser[] = [
        {
          key: 'office',
          label: '领导小组办公室(迎检办)',
          group: '办公室与领导',
          principal: { sub: 'demo-office', role: 'office' },
        },
        {
          key: 'leader',
          label: '分管领导',
          group: '办公室与领导',
          principal: { sub: 'demo-leader', role: 'leader' },
        },
      ];
      const byGroup = (a: { kind: UnitKind }, b: { kind: UnitKind }) =>
        GROUP_ORDER.indexOf(GROUPS[a.kind]) - GROUP_ORDER.indexOf(GROUPS[b.kind]);
      for (const unit of items.filter((u) => u.active).sort(byGroup)) {
        people.push({
          key: `unit:${unit.id}`,
          label: unit.name,
          group: GROUPS[unit.kind],
          principal: { sub: `demo-${unit.id}`, role: 'unit', unitId: unit.id },
        });
      }
      return people;
    },
    issue: (principal) => issueHs256Token(deps.secret, principal),
  };
}
