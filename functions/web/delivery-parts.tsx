import type { FC } from 'hono/jsx';
import type { Delivery } from '../../shared/schemas/channels.js';

const BADGE: Record<Delivery['status'], string> = {
  sent: 'b-green',
  failed: 'b-red',
  pending: 'b-yellow',
  sending: '',
};

/** A notice's deliveries to the channels: 已推送 / 失败 with the reason (never a URL or a key). */
export const DeliveryBadges: FC<{ deliveries: readonly Delivery[] | undefined }> = ({ deliveries }) => {
  if (deliveries === undefined || deliveries.length === 0) return null;
  return (
    <small class="deliveries" data-deliveries="">
      推送:
      {deliveries.map((d) => (
        <span class={`badge ${BADGE[d.status]}`} title={d.channelId}>
          {d.statusLabel}
          {d.status !== 'sent' && d.reason !== null && `(${d.reason})`}
        </span>
      ))}
    </small>
  );
};
