// The operator users, in id order (bounded: a vendor has a handful).
import { listOperatorUsers as listOperatorUserRows } from '../../store/users.ts';
import { pageLimitMax } from '../../lib/cursor.ts';
import type { AppContext } from '../context.ts';
import { operatorUserView, type OperatorUserView } from './views.ts';

export async function listOperatorUsers(context: AppContext): Promise<OperatorUserView[]> {
  return (await listOperatorUserRows(context.store.db, pageLimitMax)).map(operatorUserView);
}
