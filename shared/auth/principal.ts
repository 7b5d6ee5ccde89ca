export const ROLES = ['office', 'leader', 'unit'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token. */
export interface Principal {
  sub: string;
  role: Role;
  /** Present exactly when role is 'unit'. */
  unitId?: string;
  /** The request this principal is acting in, for the audit trail. */
  requestId?: string;
}
