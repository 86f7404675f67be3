// Proves the database, not the application, keeps one email to one person across customer and operator users: concurrent creations of one email as both kinds give exactly one user, direct SQL that would duplicate an email across or within kinds fails with a constraint error, and a deleted user's email can be used again.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { createUser, emailUnavailableMessage } from '../../src/app/users/create_user.ts';
import { createOperatorUser } from '../../src/app/users/create_operator_user.ts';
import { deleteUser, findUserByEmail } from '../../src/store/users.ts';

const password = 'correct horse battery';
const passwordHash = 'scrypt$10$8$1$c2FsdA$aGFzaA';
let emailSequence = 0;
function newEmail(): string {
  emailSequence += 1;
  return `person.${emailSequence}.${Date.now()}@example.com`;
}

describeEachDatabase('sign-in emails: one person per email, by constraint', (kind) => {
  let app: TestApp;
  let accountId: string;
  let otherAccountId: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    accountId = (await app.createAccount('platform')).id;
    otherAccountId = (await app.createAccount('platform')).id;
  });
  afterAll(async () => app.close());

  it('lets exactly one of a concurrent customer user and operator user with the same email in', async () => {
    for (let round = 0; round < 8; round += 1) {
      const email = newEmail();
      const [asUser, asOperator] = await Promise.all([
        createUser(app.context, { accountId, email, password, role: 'member' }),
        createOperatorUser(app.context, { email: email.toUpperCase(), password }),
      ]);
      expect([asUser.ok, asOperator.ok].filter(Boolean), `round ${round}`).toHaveLength(1);
      const refused = asUser.ok ? asOperator : asUser;
      expect(refused).toMatchObject({ ok: false, code: 'invalid_request', field: 'email' });
      const rows = await app.store.db.selectFrom('sign_in_emails').selectAll().where('email', '=', email).execute();
      expect(rows).toEqual([{ email, kind: asUser.ok ? 'user' : 'operator' }]);
    }
  });

  it('lets exactly one of several concurrent customer users with the same email in, with the generic message', async () => {
    const email = newEmail();
    const results = await Promise.all(
      [accountId, otherAccountId, accountId, otherAccountId].map((id) => createUser(app.context, { accountId: id, email, password, role: 'member' })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((candidate) => !candidate.ok)) expect(result).toMatchObject({ message: emailUnavailableMessage, field: 'email' });
  });

  describe('direct SQL', () => {
    let userEmail: string;
    let operatorEmail: string;

    beforeAll(async () => {
      userEmail = newEmail();
      operatorEmail = newEmail();
      expect((await createUser(app.context, { accountId, email: userEmail, password, role: 'member' })).ok).toBe(true);
      expect((await createOperatorUser(app.context, { email: operatorEmail, password })).ok).toBe(true);
    });

    it.each([
      ['an operator user with a customer user’s email (foreign key: no (email, operator) row)', () =>
        sql`insert into operator_users (id, email, password_hash, created_at) values ('opr_direct_1', ${userEmail}, ${passwordHash}, 1)`],
      ['an operator user claiming kind user to borrow that row (CHECK)', () =>
        sql`insert into operator_users (id, email, password_hash, created_at, email_kind) values ('opr_direct_2', ${userEmail}, ${passwordHash}, 1, 'user')`],
      ['a customer user with an operator’s email (foreign key)', () =>
        sql`insert into users (account_id, id, email, role, password_hash, created_at) values (${accountId}, 'usr_direct_1', ${operatorEmail}, 'member', ${passwordHash}, 1)`],
      ['a second customer user with the same email in another account (unique)', () =>
        sql`insert into users (account_id, id, email, role, password_hash, created_at) values (${otherAccountId}, 'usr_direct_2', ${userEmail}, 'member', ${passwordHash}, 1)`],
      ['the email again in sign_in_emails as the other kind (primary key)', () => sql`insert into sign_in_emails (email, kind) values (${userEmail}, 'operator')`],
      ['a user with no sign-in email row at all (foreign key)', () =>
        sql`insert into users (account_id, id, email, role, password_hash, created_at) values (${accountId}, 'usr_direct_3', 'nobody.direct@example.com', 'member', ${passwordHash}, 1)`],
      ['deleting the email of a user who still exists (foreign key)', () => sql`delete from sign_in_emails where email = ${userEmail}`],
      ['a kind other than user or operator (CHECK)', () => sql`insert into sign_in_emails (email, kind) values ('robot.direct@example.com', 'robot')`],
    ])('refuses %s with a constraint error', async (_name, statement) => {
      await expect(app.store.writeTransaction((tx) => statement().execute(tx))).rejects.toThrow(/constraint/i);
    });

    it('frees the email when the user is deleted, for either kind', async () => {
      const email = newEmail();
      expect((await createUser(app.context, { accountId, email, password, role: 'member' })).ok).toBe(true);
      const user = await findUserByEmail(app.store.db, email);
      await app.store.writeTransaction((tx) => deleteUser(tx, user!));
      expect(await app.store.db.selectFrom('sign_in_emails').selectAll().where('email', '=', email).execute()).toEqual([]);
      expect((await createOperatorUser(app.context, { email, password })).ok).toBe(true);
    });
  });
});
