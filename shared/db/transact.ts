import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, auditPut } from './audit.js';
import type { TableRef } from './client.js';
import { cancellationReasons } from './errors.js';

/** One item of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Writes a change and the audit event that records it in one transaction: both or neither. False
 * when a condition of the change failed (a stale version, a duplicate id, a state that moved on),
 * in which case nothing was written; any other failure is thrown.
 */
export async function writeWithAudit(
  ref: TableRef,
  change: readonly TransactItem[],
  audit: AuditEvent,
): Promise<boolean> {
  try {
    await ref.doc.send(new TransactWriteCommand({ TransactItems: [...change, auditPut(ref, audit)] }));
    return true;
  } catch (err) {
    if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) return false;
    throw err;
  }
}
