import { parseSweepConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { createServices } from '../../shared/services/index.js';

/** The report job needs the table only (its config is the sweep's: TABLE_NAME, AWS_REGION). */
export function loadReportDeps(env: NodeJS.ProcessEnv = process.env) {
  const config = parseSweepConfig(env);
  const { reports } = createServices({
    doc: createDocumentClient({ region: config.AWS_REGION }),
    tableName: config.TABLE_NAME,
    auditTableName: config.AUDIT_TABLE_NAME,
  });
  return { reports };
}
