/**
 * Prints a token for the local server, and nothing else, so it can be captured:
 *   TOKEN=$(npm run --silent token -- --role unit --unit edu-bureau)
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { loadDevSecret } from './dev-secret.js';

const USAGE =
  'usage: npm run --silent token -- --role office|leader|unit [--unit <unitId>] [--sub <name>] [--hours <n>]';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      sub: { type: 'string' },
      hours: { type: 'string', default: '12' },
    },
    strict: true,
  });
  const role = values.role as Role | undefined;
  if (role === undefined || !ROLES.includes(role))
    throw new Error(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
  if (role === 'unit' && !values.unit) throw new Error(`--role unit needs --unit <unitId>\n${USAGE}`);
  if (role !== 'unit' && values.unit) throw new Error(`--unit goes only with --role unit\n${USAGE}`);
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30)
    throw new Error(`--hours must be between 0 and 720\n${USAGE}`);

  const secret = loadDevSecret(
    process.env.DUBAN_DATA_DIR ?? '.duban-data',
    process.env.DUBAN_DEV_SECRET,
    false,
  );
  const sub = values.sub ?? (role === 'unit' ? `${values.unit}-clerk` : `local-${role}`);
  const principal = role === 'unit' && values.unit ? { sub, role, unitId: values.unit } : { sub, role };
  process.stdout.write(
    `${await issueHs256Token(secret, principal, { ttlSeconds: Math.round(hours * 3600) })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
