import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { recipientOf } from '../domain/access/policy.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { Notice } from '../schemas/notices.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

export interface NoticeQuery {
  unitId?: string | undefined;
  planId?: string | undefined;
  level?: string | undefined;
}

export interface NoticeService {
  /**
   * A unit sees the notices about its own duties and those addressed to it (so a township sees the
   * escalations about its villages); leaders and the office see all, or one unit's inbox.
   */
  list(principal: Principal, query: NoticeQuery, page: PageRequest): Promise<Page<Notice>>;
  ack(principal: Principal, id: string, now: Date): Promise<Notice>;
}

export function noticeService(notices: NoticeRepository, units: UnitRepository): NoticeService {
  return {
    async list(principal, { unitId, planId, level }, page) {
      const target = unitId ?? (principal.role === 'unit' ? principal.unitId : undefined);
      if (target === undefined) {
        if (principal.role === 'unit') throw new ForbiddenError('只能查看本单位的通知');
        authorize(principal, 'notice.read');
        return notices.listAll({ planId, level }, page);
      }
      authorize(principal, 'notice.read', await ownerContext(units, principal, target));
      return notices.listInbox(`unit:${target}`, { planId, level }, page);
    },

    async ack(principal, id, now) {
      const notice = await notices.get(id);
      if (notice === undefined) throw new NotFoundError('通知', id);
      authorize(principal, 'notice.ack', { recipients: notice.recipients });
      const recipient = recipientOf(principal);
      // A second acknowledgement by the same addressee changes nothing and is not an error.
      if (notice.acks[recipient] === undefined) {
        const ack = { at: now.toISOString(), by: principal.sub };
        await notices.ack(
          notice,
          recipient,
          ack,
          auditEvent(
            principal,
            'notice.ack',
            { type: 'notice', id, planId: notice.planId },
            { before: null, after: { recipient, ...ack } },
            now,
          ),
        );
      }
      const updated = await notices.get(id);
      if (updated === undefined) throw new NotFoundError('通知', id);
      return updated;
    },
  };
}
