// Proves the demo's first start can be interrupted while it makes the demo users: the next start makes them all, with passwords that sign in, instead of failing on emails half made.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { ensureDemo } from '../../src/app/operator/ensure_demo.ts';

describeEachDatabase('demo start', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    // A catalog already there: the demo skips seeding its 2,000 companies.
    await insertCompany(app.store.db);
  });
  afterAll(async () => app.close());

  it('recovers from a first start stopped while it made the demo users', async () => {
    // The operator user is made after the owners: refusing it stands for a start killed there.
    await interruptOperatorInserts(app, true);
    await expect(ensureDemo(app.context)).rejects.toThrow();
    await interruptOperatorInserts(app, false);

    const demo = await ensureDemo(app.context);
    expect(demo.users.map((user) => user.role).sort()).toEqual([...demo.accounts.map(() => 'owner'), 'operator'].sort());
    for (const user of demo.users) {
      const session = await app.signIn(user.email, user.password);
      expect(session.body.user.role).toBe(user.role);
    }
    // A third start finds everything made and changes nothing.
    const again = await ensureDemo(app.context);
    expect(again.users).toEqual(demo.users);
  });
});

/** A trigger that makes every insert into operator_users fail, or its removal. */
async function interruptOperatorInserts(app: TestApp, on: boolean): Promise<void> {
  const { db } = app.store;
  if (app.kind === 'sqlite') {
    if (on) await sql`create trigger interrupt_demo before insert on operator_users begin select raise(abort, 'interrupted'); end`.execute(db);
    else await sql`drop trigger interrupt_demo`.execute(db);
    return;
  }
  if (on) {
    await sql`create function interrupt_demo() returns trigger language plpgsql as $$ begin raise exception 'interrupted'; end $$`.execute(db);
    await sql`create trigger interrupt_demo before insert on operator_users for each row execute function interrupt_demo()`.execute(db);
  } else {
    await sql`drop trigger interrupt_demo on operator_users`.execute(db);
    await sql`drop function interrupt_demo()`.execute(db);
  }
}
