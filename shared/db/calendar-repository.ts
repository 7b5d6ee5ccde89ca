import type { YearCalendar } from '../domain/calendar/working-calendar.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import { CALENDAR_PK, calendarKey } from './keys.js';
import { queryPages } from './query.js';
import { writeWithAudit } from './transact.js';

export interface StoredYearCalendar extends YearCalendar {
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export interface CalendarRepository {
  /** Every year the office has set, in one Query (a few items: one per year). */
  list(): Promise<StoredYearCalendar[]>;
  /** Replaces a year if it is still at `expectedVersion` (null: not set yet); false if it moved on. */
  put(calendar: StoredYearCalendar, expectedVersion: number | null, audit: AuditEvent): Promise<boolean>;
}

export function calendarRepository(ref: TableRef): CalendarRepository {
  const { doc, tableName } = ref;
  return {
    async list() {
      const found: StoredYearCalendar[] = [];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': CALENDAR_PK },
        ConsistentRead: true,
      })) {
        for (const item of items) {
          found.push({
            year: item.year as number,
            holidays: item.holidays as string[],
            workdays: item.workdays as string[],
            updatedAt: item.updatedAt as string,
            updatedBy: item.updatedBy as string,
            version: item.version as number,
          });
        }
      }
      return found;
    },

    async put(calendar, expectedVersion, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...calendarKey(calendar.year), entity: 'Calendar', ...calendar },
              ...(expectedVersion === null
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : {
                    ConditionExpression: '#version = :expected',
                    ExpressionAttributeNames: { '#version': 'version' },
                    ExpressionAttributeValues: { ':expected': expectedVersion },
                  }),
            },
          },
        ],
        audit,
      );
    },
  };
}
