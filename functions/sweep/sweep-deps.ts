import { parseSweepConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { createServices } from '../../shared/services/index.js';

/** The sweep needs the table only: no token secret, no HTTP. */
export function loadSweepDeps(env: NodeJS.ProcessEnv = process.env) {
  const config = parseSweepConfig(env);
  const { sweeps } = createServices({
    doc: createDocumentClient({ region: config.AWS_REGION }),
    tableName: config.TABLE_NAME,
    auditTableName: config.AUDIT_TABLE_NAME,
  });
  return { sweeps };
}
