import { parseDeliveryConfig } from '../../shared/config.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { writeLog } from '../../shared/log.js';
import { awsSecretStore } from '../../shared/notify/aws-secret-store.js';
import { createServices } from '../../shared/services/index.js';

/** The table, the channel secrets (read only) and the site the messages link to: the outbox and the digest. */
export function loadDeliveryDeps(env: NodeJS.ProcessEnv = process.env) {
  const config = parseDeliveryConfig(env);
  const { deliveries, digests } = createServices(
    {
      doc: createDocumentClient({ region: config.AWS_REGION }),
      tableName: config.TABLE_NAME,
      auditTableName: config.AUDIT_TABLE_NAME,
    },
    {
      secrets: awsSecretStore({ prefix: config.DUBAN_CHANNEL_CREDENTIALS_PREFIX }),
      siteUrl: config.DUBAN_SITE_URL,
      deliveryLog: (entry) => writeLog(entry),
    },
  );
  return { deliveries, digests };
}
