// The public shapes of users, shared by the HTTP API and the CLI's --json.
import { toIso } from '../../lib/clock.ts';
import type { OperatorUserRow, UserRow } from '../../store/users.ts';

export interface UserView {
  id: string;
  account_id: string;
  email: string;
  role: 'owner' | 'member';
  created_at: string;
}

export interface OperatorUserView {
  id: string;
  email: string;
  role: 'operator';
  created_at: string;
}

export function userView(row: UserRow): UserView {
  return { id: row.id, account_id: row.account_id, email: row.email, role: row.role, created_at: toIso(row.created_at) };
}

export function operatorUserView(row: OperatorUserRow): OperatorUserView {
  return { id: row.id, email: row.email, role: 'operator', created_at: toIso(row.created_at) };
}
