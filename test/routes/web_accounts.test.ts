// Proves what a signed-in user may do: owners open accounts with owners and add members (a taken email is refused without saying whose), keys are created and revoked only by signed-in owners (not members, not keys), a user never reaches another account's data by changing ids, an API-only plan's users get the account area but not the data pages, and a web charge lands in the ledger as channel web with the user as actor; owners remove users (ending their sessions, freeing their email) but never the last owner; an Idempotency-Key on member and key creations creates once and never keeps a password or a key's secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp, type WebSession } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { expectError, fullLedger } from '../factories/accounts.ts';
import { emailUnavailableMessage } from '../../src/app/users/create_user.ts';
import { lastOwnerMessage } from '../../src/app/users/remove_user.ts';

let emailSequence = 0;
function newEmail(name = 'user'): string {
  emailSequence += 1;
  return `${name}.${emailSequence}.${Date.now()}@example.com`;
}
const password = 'correct horse battery';

describeEachDatabase('web accounts: owners, members, keys, plan gates, web charges', (kind) => {
  let app: TestApp;
  let companyId: string;
  let contactId: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    companyId = await insertCompany(app.store.db);
    contactId = await insertContact(app.store.db, companyId);
  });
  afterAll(async () => app.close());

  describe('opening accounts with an owner (POST /admin/v1/accounts)', () => {
    it('creates the owner user, who signs in', async () => {
      const email = newEmail('Owner');
      const response = await app.admin('POST', '/admin/v1/accounts', { name: 'Owned Ltd', plan_id: 'platform', owner_email: email, owner_password: password });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.owner).toEqual({ id: expect.stringMatching(/^usr_/), account_id: response.body.account.id, email: email.toLowerCase(), role: 'owner', created_at: expect.any(String) });
      const session = await app.signIn(email, password);
      expect(session.body.account.id).toBe(response.body.account.id);
    });

    it('needs both owner_email and owner_password, or neither (422, nothing opened)', async () => {
      const before = (await app.admin('GET', '/admin/v1/accounts?limit=500')).body.data.length;
      expect(expectError(await app.admin('POST', '/admin/v1/accounts', { name: 'Half', plan_id: 'platform', owner_email: newEmail() }), 422, 'invalid_request').field).toBe('owner_password');
      expect(expectError(await app.admin('POST', '/admin/v1/accounts', { name: 'Half', plan_id: 'platform', owner_password: password }), 422, 'invalid_request').field).toBe('owner_email');
      expectError(await app.admin('POST', '/admin/v1/accounts', { name: 'Short', plan_id: 'platform', owner_email: newEmail(), owner_password: 'short' }), 400, 'invalid_request');
      expect((await app.admin('GET', '/admin/v1/accounts?limit=500')).body.data.length).toBe(before);
    });

    it('refuses an email already in use with 422 on owner_email and opens nothing, whatever its case', async () => {
      const email = newEmail();
      await app.createAccountWithOwner('platform', { email, password });
      const before = (await app.admin('GET', '/admin/v1/accounts?limit=500')).body.data.length;
      const response = await app.admin('POST', '/admin/v1/accounts', { name: 'Again', plan_id: 'platform', owner_email: email.toUpperCase(), owner_password: password });
      const error = expectError(response, 422, 'invalid_request');
      expect(error.field).toBe('owner_email');
      expect(error.message).toBe(emailUnavailableMessage);
      expect((await app.admin('GET', '/admin/v1/accounts?limit=500')).body.data.length).toBe(before);
    });

    it('replays an Idempotency-Key with the owner, without storing the password in the fingerprint', async () => {
      const email = newEmail();
      const body = { name: 'Idem', plan_id: 'platform', owner_email: email, owner_password: password };
      const first = await app.admin('POST', '/admin/v1/accounts', body, { 'idempotency-key': `owner-${email}` });
      const second = await app.admin('POST', '/admin/v1/accounts', body, { 'idempotency-key': `owner-${email}` });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.account.id).toBe(first.body.account.id);
      expect(second.body.owner).toEqual(first.body.owner);
      const stored = await app.store.db.selectFrom('idempotency_keys').select('response_body').where('key', '=', `owner-${email}`).executeTakeFirstOrThrow();
      expect(stored.response_body).not.toContain(password);
    });
  });

  describe('team members (/v1/members)', () => {
    let account: { id: string; key: string; ownerId: string };
    let owner: WebSession;
    let member: WebSession;
    const memberEmail = newEmail('member');

    beforeAll(async () => {
      const ownerEmail = newEmail('owner');
      account = await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      owner = await app.signIn(ownerEmail, password);
    });

    it('lets an owner add a member, who signs in to the same account', async () => {
      const response = await app.web(owner, 'POST', '/v1/members', { body: { email: memberEmail, password } });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.user).toEqual(expect.objectContaining({ email: memberEmail, role: 'member', account_id: account.id }));
      member = await app.signIn(memberEmail, password);
      expect(member.body.user.role).toBe('member');
      expect(member.body.account.id).toBe(account.id);
    });

    it('lists the team to members and API keys, in id order', async () => {
      for (const response of [await app.web(member, 'GET', '/v1/members'), await app.api('GET', '/v1/members', { key: account.key })]) {
        expect(response.status).toBe(200);
        expect(response.body.data.map((user: { email: string; role: string }) => user.role)).toEqual(['owner', 'member']);
        expect(JSON.stringify(response.body)).not.toContain('password');
      }
      const paged = await app.web(member, 'GET', '/v1/members?limit=1');
      expect(paged.body.data).toHaveLength(1);
      const next = await app.web(member, 'GET', `/v1/members?limit=1&cursor=${encodeURIComponent(paged.body.next_cursor)}`);
      expect(next.body.data[0].role).toBe('member');
      expectError(await app.web(member, 'GET', '/v1/members?cursor=nope'), 400, 'invalid_request');
    });

    it('refuses members, and API keys, adding users (403); a taken email is 422', async () => {
      expectError(await app.web(member, 'POST', '/v1/members', { body: { email: newEmail(), password } }), 403, 'forbidden');
      expectError(await app.api('POST', '/v1/members', { key: account.key, body: { email: newEmail(), password } }), 403, 'forbidden');
      expect(expectError(await app.web(owner, 'POST', '/v1/members', { body: { email: memberEmail.toUpperCase(), password } }), 422, 'invalid_request').field).toBe('email');
      expectError(await app.web(owner, 'POST', '/v1/members', { body: { email: newEmail(), password: 'short' } }), 400, 'invalid_request');
      expect((await app.web(owner, 'GET', '/v1/members')).body.data).toHaveLength(2);
    });

    it('refuses an email used in another account with the same message as one in this account, naming neither', async () => {
      const elsewhere = newEmail('elsewhere');
      await app.createAccountWithOwner('platform', { email: elsewhere, password });
      const errors = [];
      for (const email of [elsewhere, memberEmail]) {
        const error = expectError(await app.web(owner, 'POST', '/v1/members', { body: { email, password } }), 422, 'invalid_request');
        expect(error.field).toBe('email');
        expect(error.message).not.toContain(email);
        expect(error.message).not.toMatch(/exist|account|elsewhere/i);
        errors.push(error.message);
      }
      expect(errors[0]).toBe(errors[1]);
    });

    it('lets an owner add another owner', async () => {
      const response = await app.web(owner, 'POST', '/v1/members', { body: { email: newEmail('second-owner'), password, role: 'owner' } });
      expect(response.status).toBe(201);
      expect(response.body.user.role).toBe('owner');
    });

    it('manages API keys: owners create (shown once), list by prefix, revoke; members only list', async () => {
      const created = await app.web(owner, 'POST', '/v1/api-keys', { body: { name: 'ci' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toEqual(expect.objectContaining({ id: expect.stringMatching(/^key_/), account_id: account.id, name: 'ci', key: expect.stringMatching(/^qry_/) }));
      expect((await app.api('GET', '/v1/account', { key: created.body.key })).status).toBe(200);
      const listed = await app.web(member, 'GET', '/v1/api-keys');
      expect(listed.status).toBe(200);
      expect(listed.body.data[0]).toEqual({ id: created.body.id, name: 'ci', prefix: created.body.prefix, created_at: expect.any(String), revoked_at: null });
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
      expectError(await app.web(member, 'POST', '/v1/api-keys', { body: { name: 'nope' } }), 403, 'forbidden');
      expectError(await app.web(member, 'DELETE', `/v1/api-keys/${created.body.id}`), 403, 'forbidden');
      const revoked = await app.web(owner, 'DELETE', `/v1/api-keys/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expectError(await app.api('GET', '/v1/account', { key: created.body.key }), 401, 'unauthorized');
      expectError(await app.web(owner, 'DELETE', `/v1/api-keys/${created.body.id}`), 404, 'not_found');
      expect((await app.web(owner, 'GET', '/v1/api-keys')).body.data.map((key: { id: string }) => key.id)).not.toContain(created.body.id);
      const all = await app.web(owner, 'GET', '/v1/api-keys?include_revoked=true');
      expect(all.body.data.find((key: { id: string }) => key.id === created.body.id).revoked_at).toEqual(expect.any(String));
    });

    it('refuses an API key creating or revoking keys (403): a leaked key cannot mint a successor that outlives its revocation', async () => {
      const before = (await app.web(owner, 'GET', '/v1/api-keys?include_revoked=true')).body.data;
      expectError(await app.api('POST', '/v1/api-keys', { key: account.key, body: { name: 'successor' } }), 403, 'forbidden');
      const target = await app.web(owner, 'POST', '/v1/api-keys', { body: { name: 'target' } });
      expect(target.status).toBe(201);
      expectError(await app.api('DELETE', `/v1/api-keys/${target.body.id}`, { key: account.key }), 403, 'forbidden');
      expectError(await app.api('DELETE', `/v1/api-keys/${target.body.id}`, { key: target.body.key }), 403, 'forbidden');
      const after = (await app.web(owner, 'GET', '/v1/api-keys?include_revoked=true')).body.data;
      expect(after.map((key: { name: string | null }) => key.name)).not.toContain('successor');
      expect(after).toHaveLength(before.length + 1);
      expect(after.find((key: { id: string }) => key.id === target.body.id).revoked_at).toBeNull();
      // Keys for automation come from the operator API.
      expect((await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`)).status).toBe(201);
    });
  });

  describe('removing members (DELETE /v1/members/{id})', () => {
    it('lets an owner remove a member: the member’s sessions end at once and the email can be used again', async () => {
      const ownerEmail = newEmail('owner');
      const account = await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      const owner = await app.signIn(ownerEmail, password);
      const memberEmail = newEmail('removed');
      const added = await app.web(owner, 'POST', '/v1/members', { body: { email: memberEmail, password } });
      const member = await app.signIn(memberEmail, password);
      expect((await app.web(member, 'GET', '/v1/account')).status).toBe(200);
      const removed = await app.web(owner, 'DELETE', `/v1/members/${added.body.user.id}`);
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      expect(removed.body).toEqual({ removed: true, user: added.body.user });
      expectError(await app.web(member, 'GET', '/v1/account'), 401, 'unauthorized');
      const sessions = await app.store.db.selectFrom('user_sessions').select('token_hash').where('account_id', '=', account.id).where('user_id', '=', added.body.user.id).execute();
      expect(sessions).toEqual([]);
      expect((await app.web(owner, 'GET', '/v1/members')).body.data.map((user: { email: string }) => user.email)).toEqual([ownerEmail.toLowerCase()]);
      expectError(await app.web(owner, 'DELETE', `/v1/members/${added.body.user.id}`), 404, 'not_found');
      expect((await app.web(owner, 'POST', '/v1/members', { body: { email: memberEmail, password } })).status).toBe(201);
    });

    it('refuses members and API keys (403), and another account’s or an unknown user (404), removing nothing', async () => {
      const ownerEmail = newEmail('owner');
      const account = await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      const owner = await app.signIn(ownerEmail, password);
      const memberEmail = newEmail('member');
      await app.web(owner, 'POST', '/v1/members', { body: { email: memberEmail, password } });
      const member = await app.signIn(memberEmail, password);
      const otherEmail = newEmail('other-owner');
      const other = await app.createAccountWithOwner('platform', { email: otherEmail, password });
      expectError(await app.web(member, 'DELETE', `/v1/members/${account.ownerId}`), 403, 'forbidden');
      expectError(await app.api('DELETE', `/v1/members/${account.ownerId}`, { key: account.key }), 403, 'forbidden');
      expectError(await app.web(owner, 'DELETE', `/v1/members/${other.ownerId}`), 404, 'not_found');
      expectError(await app.web(owner, 'DELETE', '/v1/members/usr_unknown'), 404, 'not_found');
      expect((await app.web(owner, 'GET', '/v1/members')).body.data).toHaveLength(2);
      expect((await app.signIn(otherEmail, password)).body.account.id).toBe(other.id);
    });

    it('refuses removing the last owner (422), and lets an owner remove another owner, or themselves while another remains', async () => {
      const firstEmail = newEmail('first-owner');
      const account = await app.createAccountWithOwner('platform', { email: firstEmail, password });
      const first = await app.signIn(firstEmail, password);
      const refused = expectError(await app.web(first, 'DELETE', `/v1/members/${account.ownerId}`), 422, 'invalid_request');
      expect(refused.field).toBe('id');
      expect(refused.message).toBe(lastOwnerMessage);
      const secondEmail = newEmail('second-owner');
      const second = await app.web(first, 'POST', '/v1/members', { body: { email: secondEmail, password, role: 'owner' } });
      expect((await app.web(first, 'DELETE', `/v1/members/${account.ownerId}`)).status).toBe(200);
      expectError(await app.web(first, 'GET', '/v1/members'), 401, 'unauthorized');
      const secondSession = await app.signIn(secondEmail, password);
      expectError(await app.web(secondSession, 'DELETE', `/v1/members/${second.body.user.id}`), 422, 'invalid_request');
      expect((await app.web(secondSession, 'GET', '/v1/members')).body.data.map((user: { role: string }) => user.role)).toEqual(['owner']);
    });

    it('keeps an owner when two owners remove each other at once', async () => {
      const firstEmail = newEmail('first-owner');
      const account = await app.createAccountWithOwner('platform', { email: firstEmail, password });
      const first = await app.signIn(firstEmail, password);
      const secondEmail = newEmail('second-owner');
      const second = await app.web(first, 'POST', '/v1/members', { body: { email: secondEmail, password, role: 'owner' } });
      const secondSession = await app.signIn(secondEmail, password);
      const results = await Promise.all([
        app.web(first, 'DELETE', `/v1/members/${second.body.user.id}`),
        app.web(secondSession, 'DELETE', `/v1/members/${account.ownerId}`),
      ]);
      expect(results.filter((result) => result.status === 200)).toHaveLength(1);
      const owners = await app.store.db.selectFrom('users').select('id').where('account_id', '=', account.id).where('role', '=', 'owner').execute();
      expect(owners).toHaveLength(1);
    });
  });

  describe('Idempotency-Key on POST /v1/members and the API key creations', () => {
    it('adds one member for a repeated key, replays it without keeping the password, and refuses another body (409)', async () => {
      const ownerEmail = newEmail('owner');
      await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      const owner = await app.signIn(ownerEmail, password);
      const email = newEmail('idem-member');
      const headers = { 'idempotency-key': `member-${email}` };
      const first = await app.web(owner, 'POST', '/v1/members', { body: { email, password }, headers });
      const second = await app.web(owner, 'POST', '/v1/members', { body: { email, password: 'another password' }, headers });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect((await app.web(owner, 'GET', '/v1/members')).body.data).toHaveLength(2);
      expectError(await app.web(owner, 'POST', '/v1/members', { body: { email: newEmail(), password }, headers }), 409, 'idempotency_conflict');
      const stored = await app.store.db.selectFrom('idempotency_keys').select(['response_body', 'fingerprint']).where('key', '=', headers['idempotency-key']).executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(password);
    });

    it('claims nothing when the member is refused, so a retry with the same key runs again', async () => {
      const ownerEmail = newEmail('owner');
      await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      const owner = await app.signIn(ownerEmail, password);
      const headers = { 'idempotency-key': `taken-${ownerEmail}` };
      expectError(await app.web(owner, 'POST', '/v1/members', { body: { email: ownerEmail, password }, headers }), 422, 'invalid_request');
      expect(await app.store.db.selectFrom('idempotency_keys').select('key').where('key', '=', headers['idempotency-key']).execute()).toEqual([]);
    });

    it('creates one API key for a repeated key and replays its id and prefix with key null, never storing the secret', async () => {
      const ownerEmail = newEmail('owner');
      const account = await app.createAccountWithOwner('platform', { email: ownerEmail, password });
      const owner = await app.signIn(ownerEmail, password);
      const before = (await app.web(owner, 'GET', '/v1/api-keys')).body.data.length;
      const headers = { 'idempotency-key': `key-${ownerEmail}` };
      const first = await app.web(owner, 'POST', '/v1/api-keys', { body: { name: 'ci' }, headers });
      const second = await app.web(owner, 'POST', '/v1/api-keys', { body: { name: 'ci' }, headers });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body.key).toMatch(/^qry_/);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual({ ...first.body, key: null });
      expect((await app.web(owner, 'GET', '/v1/api-keys')).body.data).toHaveLength(before + 1);
      expectError(await app.web(owner, 'POST', '/v1/api-keys', { body: { name: 'other' }, headers }), 409, 'idempotency_conflict');
      const stored = await app.store.db.selectFrom('idempotency_keys').select('response_body').where('account_id', '=', account.id).where('key', '=', headers['idempotency-key']).executeTakeFirstOrThrow();
      expect(stored.response_body).not.toContain(first.body.key);

      const operatorHeaders = { 'idempotency-key': `operator-key-${ownerEmail}` };
      const issued = await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`, { name: 'sync' }, operatorHeaders);
      const reissued = await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`, { name: 'sync' }, operatorHeaders);
      expect(issued.status).toBe(201);
      expect(issued.body.key).toMatch(/^qry_/);
      expect(reissued.body).toEqual({ ...issued.body, key: null });
      expect((await app.web(owner, 'GET', '/v1/api-keys')).body.data).toHaveLength(before + 2);
      expectError(await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`, { name: 'other' }, operatorHeaders), 409, 'idempotency_conflict');
      expectError(await app.admin('POST', '/admin/v1/accounts/acct_unknown/api-keys', { name: 'sync' }, { 'idempotency-key': 'unknown-account' }), 404, 'not_found');
      expect(await app.store.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'unknown-account').execute()).toEqual([]);
    });
  });

  describe('another account is out of reach', () => {
    it('gives a member nothing of another account by changing ids', async () => {
      const aliceEmail = newEmail('alice');
      const alice = await app.createAccountWithOwner('platform', { email: aliceEmail, password });
      const bob = await app.createAccountWithOwner('platform', { email: newEmail('bob'), password });
      const aliceSession = await app.signIn(aliceEmail, password);
      // Bob's key, Bob's subscription: Alice's ids do not reach them.
      const bobKeys = await app.api('GET', '/v1/api-keys', { key: bob.key });
      const bobKeyId = bobKeys.body.data[0].id as string;
      expectError(await app.web(aliceSession, 'DELETE', `/v1/api-keys/${bobKeyId}`), 404, 'not_found');
      expect((await app.api('GET', '/v1/account', { key: bob.key })).status).toBe(200);
      const bobRead = await app.api('GET', `/v1/companies/${companyId}`, { key: bob.key });
      expect(bobRead.status).toBe(200);
      // Alice's lists show Alice's account only.
      for (const url of ['/v1/members', '/v1/api-keys', '/v1/subscriptions', '/v1/credits/ledger']) {
        const response = await app.web(aliceSession, 'GET', url);
        expect(response.status, url).toBe(200);
        expect(JSON.stringify(response.body), url).not.toContain(bob.id);
        expect(JSON.stringify(response.body), url).not.toContain(bobKeyId);
        expect(JSON.stringify(response.body), url).not.toContain(bobRead.body.subscription.id);
      }
      expect((await app.web(aliceSession, 'GET', '/v1/account')).body.id).toBe(alice.id);
      // Alice reading the same company is charged on Alice's account, a subscription of her own.
      const aliceRead = await app.web(aliceSession, 'GET', `/v1/companies/${companyId}`);
      expect(aliceRead.body.credits.charged).toBe(1);
      expect(aliceRead.body.subscription.id).not.toBe(bobRead.body.subscription.id);
      // The operator API is not a way round either.
      expectError(await app.web(aliceSession, 'GET', `/admin/v1/accounts/${bob.id}`), 403, 'forbidden');
    });
  });

  describe('plans gate the web app (DESIGN rule 11)', () => {
    it('gives an API-only plan’s user the account area (200) but 403 feature_not_in_plan on data endpoints', async () => {
      const email = newEmail('api-only');
      const account = await app.createAccountWithOwner('api_standalone', { email, password });
      const session = await app.signIn(email, password);
      for (const url of ['/v1/account', '/v1/credits/ledger', '/v1/credits/bundles', '/v1/subscriptions', '/v1/api-keys', '/v1/members', '/v1/session']) {
        expect((await app.web(session, 'GET', url)).status, url).toBe(200);
      }
      expect((await app.web(session, 'POST', '/v1/credits/top-ups', { body: { bundle: 'credits_100' } })).status).toBe(201);
      expect((await app.web(session, 'POST', '/v1/credits/quote', { body: { companies: [companyId], contacts: [] } })).status).toBe(200);
      const balanceBefore = (await app.web(session, 'GET', '/v1/account')).body.credits.balance;
      for (const [method, url, body] of [
        ['GET', '/v1/companies?q=test', undefined],
        ['POST', '/v1/companies/search', { query: 'test' }],
        ['GET', `/v1/companies/${companyId}`, undefined],
        ['GET', `/v1/companies/${companyId}/signals`, undefined],
        ['GET', `/v1/contacts?company_id=${companyId}`, undefined],
        ['GET', `/v1/contacts/${contactId}`, undefined],
        ['POST', '/v1/companies/batch', { ids: [companyId] }],
        ['POST', '/v1/contacts/batch', { ids: [contactId] }],
        ['GET', '/v1/ip/192.0.2.1', undefined],
      ] as const) {
        expectError(await app.web(session, method, url, { body }), 403, 'feature_not_in_plan');
      }
      expect((await app.web(session, 'GET', '/v1/account')).body.credits.balance).toBe(balanceBefore);
      // The same account's API key reads the data: the gate is the channel's.
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: account.key })).status).toBe(200);
    });
  });

  describe('charges through the web', () => {
    it('records a web charge with channel web and the user as actor, in the one pool the API sees', async () => {
      const email = newEmail('web-charge');
      const account = await app.createAccountWithOwner('platform', { email, password });
      const session = await app.signIn(email, password);
      const before = (await app.api('GET', '/v1/account', { key: account.key })).body.credits.balance as number;
      const read = await app.web(session, 'GET', `/v1/contacts/${contactId}`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.headers['x-credits-charged']).toBe('1');
      const charge = (await fullLedger(app, account.id)).at(-1)!;
      expect(charge).toEqual(expect.objectContaining({ kind: 'charge', credits: -1, channel: 'web', actor: { type: 'user', id: account.ownerId }, record: { type: 'contact', id: contactId } }));
      expect((await app.api('GET', '/v1/account', { key: account.key })).body.credits.balance).toBe(before - 1);
      // The API reads it free afterwards: one subscription, whichever channel started it.
      const again = await app.api('GET', `/v1/contacts/${contactId}`, { key: account.key });
      expect(again.headers['x-credits-charged']).toBe('0');
      const ledger = await app.web(session, 'GET', '/v1/credits/ledger?kind=charge');
      expect(ledger.body.data).toHaveLength(1);
      expect(ledger.body.data[0].channel).toBe('web');
    });
  });
});
