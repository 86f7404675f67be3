// Proves sign-in, the session cookie and its CSRF token: the cookie's flags, one 401 for a wrong password and an unknown email, CSRF on every cookie request (reads that charge included) with nothing written or charged without it, sign-out, expiry, login CSRF, the sign-in throttle, URLs the router refuses, and operators signing in to the operator API.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { sessionCookieOf, startTestApp, type TestApp, type WebSession } from '../harness/test_app.ts';
import { creditState, expectError, fullLedger } from '../factories/accounts.ts';
import { createOperatorUser } from '../../src/app/users/create_operator_user.ts';
import { signIn } from '../../src/app/users/sign_in.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { SignInThrottle, signInAttemptsPerMinutePerEmail, signInAttemptsPerMinutePerIp } from '../../src/http/rate_limit.ts';
import type { Response } from '../harness/test_app.ts';

let emailSequence = 0;
function newEmail(name = 'user'): string {
  emailSequence += 1;
  return `${name}.${emailSequence}.${Date.now()}@example.com`;
}
const password = 'correct horse battery';

describeEachDatabase('session: sign-in, cookie, CSRF, sign-out', (kind) => {
  let app: TestApp;
  let owner: { email: string; account: { id: string; key: string; ownerId: string } };
  let session: WebSession;

  beforeAll(async () => {
    app = await startTestApp(kind);
    const email = newEmail('owner');
    owner = { email, account: await app.createAccountWithOwner('platform', { email, password }) };
    session = await app.signIn(email, password);
  });
  afterAll(async () => app.close());

  describe('happy', () => {
    it('signs in: an HttpOnly, SameSite=Lax, Path=/ cookie (not Secure over http), the user, the account and a CSRF token', async () => {
      const response = await app.api('POST', '/v1/session', { body: { email: owner.email, password } });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const cookie = [response.headers['set-cookie']].flat().find((value) => String(value).startsWith('quarry_session='))!;
      const attributes = String(cookie).split(';').map((part) => part.trim().toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(attributes.some((attribute) => attribute.startsWith('max-age='))).toBe(true);
      expect(attributes).not.toContain('secure');
      expect(response.body).toEqual({
        channel: 'web',
        user: { id: owner.account.ownerId, email: owner.email, role: 'owner', account_id: owner.account.id, created_at: expect.any(String) },
        account: expect.objectContaining({ id: owner.account.id, plan: expect.objectContaining({ id: 'platform' }) }),
        csrf_token: expect.stringMatching(/^[\w-]{43}$/),
        expires_at: expect.any(String),
      });
      // The token itself never appears in the body.
      expect(JSON.stringify(response.body)).not.toContain(String(cookie).split(';')[0]!.split('=')[1]);
    });

    it('signs in with the email in any case and with spaces around it', async () => {
      const response = await app.api('POST', '/v1/session', { body: { email: `  ${owner.email.toUpperCase()}\t `, password } });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.user.email).toBe(owner.email);
    });

    it('ends the session the browser presented when it signs in again, and leaves other sessions alone', async () => {
      const first = await app.signIn(owner.email, password);
      const other = await app.signIn(owner.email, password);
      const again = await app.api('POST', '/v1/session', { body: { email: owner.email, password }, headers: { cookie: first.cookie } });
      expect(again.status).toBe(200);
      expect(sessionCookieOf(again)).not.toBe(first.cookie);
      expectError(await app.web(first, 'GET', '/v1/account'), 401, 'unauthorized');
      expect((await app.web(other, 'GET', '/v1/account')).status).toBe(200);
    });

    it('reads both the customer and the operator table for every email, known or not, so timing does not tell them apart', async () => {
      const tables: string[] = [];
      const selectFrom = app.context.store.db.selectFrom.bind(app.context.store.db);
      const spy = vi.spyOn(app.context.store.db, 'selectFrom').mockImplementation(((table: string) => {
        tables.push(table);
        return selectFrom(table as 'users');
      }) as typeof selectFrom);
      try {
        for (const email of [owner.email, 'nobody.at.all@example.com']) {
          tables.length = 0;
          await signIn(app.context, { email, password: 'not the password' });
          expect([...tables].sort(), email).toEqual(['operator_users', 'users']);
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('answers GET /v1/session and the account area with the cookie, and puts the balance in X-Credits-Remaining', async () => {
      const current = await app.web(session, 'GET', '/v1/session');
      expect(current.status).toBe(200);
      expect(current.body.user.id).toBe(owner.account.ownerId);
      expect(current.body.csrf_token).toBe(session.csrfToken);
      const account = await app.web(session, 'GET', '/v1/account');
      expect(account.status).toBe(200);
      expect(account.headers['x-credits-remaining']).toBe(String(account.body.credits.balance));
    });

    it('describes an API key caller on GET /v1/session: channel api, no user, no CSRF token', async () => {
      const response = await app.api('GET', '/v1/session', { key: owner.account.key });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ channel: 'api', user: null, csrf_token: null, account: expect.objectContaining({ id: owner.account.id }) }));
    });

    it('sets the Secure flag behind a trusted https proxy', async () => {
      const proxied = await startTestApp(kind, { trustProxy: true });
      try {
        const email = newEmail();
        await proxied.createAccountWithOwner('platform', { email, password });
        const response = await proxied.api('POST', '/v1/session', { body: { email, password }, headers: { 'x-forwarded-proto': 'https' } });
        expect(response.status).toBe(200);
        expect(String([response.headers['set-cookie']].flat()[0]).toLowerCase()).toContain('; secure');
      } finally {
        await proxied.close();
      }
    });
  });

  describe('errors', () => {
    it('gives a wrong password and an unknown email the identical 401', async () => {
      const wrongPassword = await app.api('POST', '/v1/session', { body: { email: owner.email, password: 'not the password' } });
      const unknownEmail = await app.api('POST', '/v1/session', { body: { email: 'nobody@example.com', password } });
      for (const response of [wrongPassword, unknownEmail]) {
        expectError(response, 401, 'unauthorized');
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      const withoutRequestId = (response: typeof wrongPassword) => ({ ...(response.body as { error: object }).error, request_id: undefined });
      expect(withoutRequestId(wrongPassword)).toEqual(withoutRequestId(unknownEmail));
      expect((wrongPassword.body as { error: { message: string } }).error.message).toBe('wrong email or password');
      const headerNames = (response: typeof wrongPassword) => Object.keys(response.headers).sort();
      expect(headerNames(wrongPassword)).toEqual(headerNames(unknownEmail));
    });

    it('refuses malformed sign-ins with 400, and bodies a cross-site form could send (login CSRF)', async () => {
      expectError(await app.api('POST', '/v1/session', { body: { email: 'not an email', password } }), 400, 'invalid_request');
      expectError(await app.api('POST', '/v1/session', { body: { email: owner.email, password: 'x'.repeat(201) } }), 400, 'invalid_request');
      const json = JSON.stringify({ email: owner.email, password });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await app.api('POST', '/v1/session', { rawBody: json, headers: { 'content-type': contentType } });
        expectError(response, 400, 'invalid_request');
        expect(response.headers['set-cookie'], contentType).toBeUndefined();
      }
    });

    it('refuses an expired session with 401 and clears its cookie', async () => {
      const expiring = await app.signIn(owner.email, password);
      await app.store.db.updateTable('user_sessions').set({ created_at: Date.now() - 2_000, expires_at: Date.now() - 1 }).where('user_id', '=', owner.account.ownerId).where('expires_at', '>', Date.now()).execute();
      const response = await app.web(expiring, 'GET', '/v1/account');
      expectError(response, 401, 'unauthorized');
      expect(String([response.headers['set-cookie']].flat()[0])).toMatch(/^quarry_session=;/);
      session = await app.signIn(owner.email, password);
    });
  });

  describe('security', () => {
    it('refuses a cookie GET that charges (a record, its parts, a contact) without the CSRF token with 403 and charges nothing; with it, charges', async () => {
      const companyId = await insertCompany(app.store.db);
      const contactId = await insertContact(app.store.db, companyId);
      const before = await creditState(app, owner.account);
      const charging = [`/v1/companies/${companyId}`, `/v1/companies/${companyId}/signals`, `/v1/companies/${companyId}/financials`, `/v1/companies/${companyId}/news`, `/v1/contacts/${contactId}`];
      for (const url of charging) {
        for (const csrf of [null, 'forged']) expectError(await app.web(session, 'GET', url, { csrf }), 403, 'forbidden');
        // A browser marks another site's request (a link, a form, an image): refused even with the token.
        expectError(await app.web(session, 'GET', url, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden');
      }
      expect(await creditState(app, owner.account)).toEqual(before);
      const read = await app.web(session, 'GET', `/v1/companies/${companyId}`, { headers: { 'sec-fetch-site': 'same-origin' } });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.credits.charged).toBe(1);
      expect((await creditState(app, owner.account)).balance).toBe(before.balance - 1);
    });

    it('needs the CSRF token on free cookie GETs too, but not on GET /v1/session, which hands it out', async () => {
      expectError(await app.web(session, 'GET', '/v1/account', { csrf: null }), 403, 'forbidden');
      expectError(await app.web(session, 'GET', '/v1/nothing-here', { csrf: null }), 403, 'forbidden');
      const current = await app.web(session, 'GET', '/v1/session', { csrf: null });
      expect(current.status).toBe(200);
      expect(current.body.csrf_token).toBe(session.csrfToken);
      expectError(await app.web(session, 'GET', '/v1/session', { csrf: null, headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden');
      // An API key needs no token, and Sec-Fetch-Site does not concern it.
      expect((await app.api('GET', '/v1/account', { key: owner.account.key, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    });

    it('answers a URL the router refuses, sent with a dead session cookie, with a JSON error that clears the cookie, and keeps serving', async () => {
      const urls = ['/v1/%E0%A4%A', `/v1/companies/${'a'.repeat(1100)}`, '/admin/v1/%E0%A4%A', `/admin/v1/accounts/${'a'.repeat(1100)}`];
      for (const url of urls) {
        for (const cookie of ['quarry_session=qss_forged', 'quarry_session=qos_forged']) {
          const response = await withinSeconds(app.api('GET', url, { headers: { cookie } }), url);
          expectError(response, 401, 'unauthorized');
          const cleared = String([response.headers['set-cookie']].flat()[0]);
          expect(cleared).toMatch(/^quarry_session=;/);
          expect(cleared.toLowerCase()).toEqual(expect.stringContaining('path=/'));
          expect(cleared).toMatch(/HttpOnly/i);
          expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
        }
      }
      // A live session still gets the documented 400 for the bad URL.
      expectError(await withinSeconds(app.web(session, 'GET', '/v1/%E0%A4%A'), 'live session'), 400, 'invalid_request');
      expect((await app.api('GET', '/health')).status).toBe(200);
    });

    it('answers 500 internal, and keeps serving, when answering a refused URL fails', async () => {
      const plan = vi.spyOn(app.context.plans, 'plan').mockImplementation(() => {
        throw new Error('a failure nobody foresaw');
      });
      try {
        const response = await withinSeconds(app.api('GET', '/v1/%E0%A4%A', { key: owner.account.key }), 'failing');
        expectError(response, 500, 'internal');
      } finally {
        plan.mockRestore();
      }
      expect((await app.api('GET', '/v1/account', { key: owner.account.key })).status).toBe(200);
    });

    it('refuses a cookie mutation without the CSRF token, or with a wrong one, with 403 and writes nothing', async () => {
      const before = await creditState(app, owner.account);
      for (const csrf of [null, '', 'forged', `${session.csrfToken}x`, session.csrfToken.toUpperCase()]) {
        const topUp = await app.web(session, 'POST', '/v1/credits/top-ups', { body: { bundle: 'credits_100' }, csrf });
        expectError(topUp, 403, 'forbidden');
        const key = await app.web(session, 'POST', '/v1/api-keys', { body: { name: 'csrf' }, csrf });
        expectError(key, 403, 'forbidden');
        const member = await app.web(session, 'POST', '/v1/members', { body: { email: newEmail(), password }, csrf });
        expectError(member, 403, 'forbidden');
        expectError(await app.web(session, 'DELETE', '/v1/session', { csrf }), 403, 'forbidden');
      }
      // Another session's token is wrong too.
      const other = await app.signIn(owner.email, password);
      expectError(await app.web(session, 'POST', '/v1/credits/top-ups', { body: { bundle: 'credits_100' }, csrf: other.csrfToken }), 403, 'forbidden');
      expect(await creditState(app, owner.account)).toEqual(before);
      const keys = await app.web(session, 'GET', '/v1/api-keys');
      expect(keys.body.data.map((key: { name: string }) => key.name)).not.toContain('csrf');
      const members = await app.web(session, 'GET', '/v1/members');
      expect(members.body.data).toHaveLength(1);
      // The session survived every forged sign-out.
      expect((await app.web(session, 'GET', '/v1/session')).status).toBe(200);
      // With the token it works; an API key needs none.
      expect((await app.web(session, 'POST', '/v1/credits/top-ups', { body: { bundle: 'credits_100' } })).status).toBe(201);
      expect((await app.api('POST', '/v1/credits/top-ups', { key: owner.account.key, body: { bundle: 'credits_100' } })).status).toBe(201);
    });

    it('refuses forged, malformed and foreign session cookies with 401', async () => {
      const token = session.cookie.split('=')[1]!;
      for (const cookie of ['quarry_session=', 'quarry_session=qss_forged', `quarry_session=${token}x`, `quarry_session=${token.replace('qss_', 'qos_')}`, `quarry_session=${'a'.repeat(500)}`, `other=${token}`]) {
        expectError(await app.api('GET', '/v1/account', { headers: { cookie } }), 401, 'unauthorized');
      }
    });

    it('lets an Authorization header win over the cookie: a bad key with a good cookie is 401', async () => {
      const response = await app.api('GET', '/v1/account', { headers: { cookie: session.cookie, authorization: 'Bearer qry_nope' } });
      expectError(response, 401, 'unauthorized');
    });

    it('signs out: the session row goes, the cookie is cleared, a copy of the cookie is refused', async () => {
      const leaving = await app.signIn(owner.email, password);
      const response = await app.web(leaving, 'DELETE', '/v1/session');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ signed_out: true });
      expect(String([response.headers['set-cookie']].flat()[0])).toMatch(/^quarry_session=;.*Expires=Thu, 01 Jan 1970/);
      expectError(await app.web(leaving, 'GET', '/v1/session'), 401, 'unauthorized');
      expectError(await app.web(leaving, 'GET', '/v1/account'), 401, 'unauthorized');
      // Other sessions of the same user are untouched.
      expect((await app.web(session, 'GET', '/v1/session')).status).toBe(200);
    });

    it('keeps only a hash of the session token', async () => {
      const token = session.cookie.split('=')[1]!;
      const rows = await app.store.db.selectFrom('user_sessions').select('token_hash').execute();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.token_hash).not.toContain(token);
      expect(rows.map((row) => row.token_hash)).toContainEqual(expect.stringMatching(/^[0-9a-f]{64}$/));
    });
  });

  describe('operators', () => {
    let operatorSession: WebSession;
    const operatorEmail = newEmail('operator');

    beforeAll(async () => {
      const created = await createOperatorUser(app.context, { email: operatorEmail, password });
      expect(created.ok).toBe(true);
      operatorSession = await app.signIn(operatorEmail, password);
    });

    it('signs an operator in through the same endpoint, as role operator without an account', async () => {
      expect(operatorSession.body.user).toEqual(expect.objectContaining({ email: operatorEmail, role: 'operator', account_id: null }));
      expect(operatorSession.body.account).toBeNull();
      expect((await app.web(operatorSession, 'GET', '/v1/session')).body.user.role).toBe('operator');
    });

    it('uses the operator API with the cookie, CSRF on mutations, and the ledger names the operator', async () => {
      expect((await app.web(operatorSession, 'GET', `/admin/v1/accounts/${owner.account.id}`)).status).toBe(200);
      const before = await fullLedger(app, owner.account.id);
      expectError(await app.web(operatorSession, 'POST', `/admin/v1/accounts/${owner.account.id}/top-ups`, { body: { credits: 7 }, csrf: null }), 403, 'forbidden');
      expect(await fullLedger(app, owner.account.id)).toEqual(before);
      const topUp = await app.web(operatorSession, 'POST', `/admin/v1/accounts/${owner.account.id}/top-ups`, { body: { credits: 7 } });
      expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
      const entry = (await fullLedger(app, owner.account.id)).at(-1)!;
      expect(entry).toEqual(expect.objectContaining({ kind: 'grant', credits: 7, channel: 'operator', actor: { type: 'operator', id: operatorSession.body.user.id } }));
    });

    it('keeps operators out of /v1 data and customers out of /admin/v1', async () => {
      expectError(await app.web(operatorSession, 'GET', '/v1/account'), 403, 'forbidden');
      expectError(await app.web(session, 'GET', '/admin/v1/accounts'), 403, 'forbidden');
      expectError(await app.api('GET', '/admin/v1/accounts', { headers: { cookie: 'quarry_session=qos_forged' } }), 401, 'unauthorized');
    });

    it('refuses an email already used by a customer user, and the other way round', async () => {
      const taken = await createOperatorUser(app.context, { email: owner.email.toUpperCase(), password });
      expect(taken).toEqual(expect.objectContaining({ ok: false, code: 'invalid_request' }));
      const response = await app.admin('POST', '/admin/v1/accounts', { name: 'Clash', plan_id: 'platform', owner_email: operatorEmail, owner_password: password });
      expect(expectError(response, 422, 'invalid_request').field).toBe('owner_email');
    });

    it('signs an operator out', async () => {
      const leaving = await app.signIn(operatorEmail, password);
      expect((await app.web(leaving, 'DELETE', '/v1/session')).status).toBe(200);
      expectError(await app.web(leaving, 'GET', '/admin/v1/accounts'), 401, 'unauthorized');
    });
  });

  describe('sign-in throttle', () => {
    it('limits attempts per email, from any address, with 429 and Retry-After, right password or not; the bucket refills with time', async () => {
      const limited = await startTestApp(kind, { trustProxy: true, signInRateLimit: {} });
      try {
        const email = newEmail();
        await limited.createAccountWithOwner('platform', { email, password });
        const attempt = (from: string, body: { email: string; password: string }) => limited.api('POST', '/v1/session', { body, headers: { 'x-forwarded-for': from } });
        for (let index = 0; index < signInAttemptsPerMinutePerEmail; index += 1) {
          expectError(await attempt(`10.0.0.${index}`, { email, password: 'not the password' }), 401, 'unauthorized');
        }
        for (const body of [{ email, password }, { email: ` ${email.toUpperCase()}`, password }]) {
          const refused = await attempt('10.0.1.1', body);
          expectError(refused, 429, 'rate_limited');
          expect(refused.headers['retry-after']).toBe(String(60 / signInAttemptsPerMinutePerEmail));
          expect(refused.headers['set-cookie']).toBeUndefined();
        }
        // Another email is not held back by this one's attempts.
        expectError(await attempt('10.0.1.1', { email: newEmail(), password }), 401, 'unauthorized');
        limited.clock.advance((60 / signInAttemptsPerMinutePerEmail) * 1000);
        expect((await attempt('10.0.1.1', { email, password })).status).toBe(200);
        expectError(await attempt('10.0.1.1', { email, password }), 429, 'rate_limited');
      } finally {
        await limited.close();
      }
    });

    it('limits attempts per client IP, whatever the email', async () => {
      const limited = await startTestApp(kind, { trustProxy: true, signInRateLimit: {} });
      try {
        const attempt = (from: string) => limited.api('POST', '/v1/session', { body: { email: newEmail(), password }, headers: { 'x-forwarded-for': from } });
        for (let index = 0; index < signInAttemptsPerMinutePerIp; index += 1) expectError(await attempt('10.0.2.1'), 401, 'unauthorized');
        const refused = await attempt('10.0.2.1');
        expectError(refused, 429, 'rate_limited');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expectError(await attempt('10.0.2.2'), 401, 'unauthorized');
      } finally {
        await limited.close();
      }
    });

    it('does not limit sign-ins when the limits are off (QUARRY_RATE_LIMIT=0, the default of test apps)', async () => {
      const email = newEmail();
      for (let index = 0; index <= signInAttemptsPerMinutePerEmail + 2; index += 1) {
        expectError(await app.api('POST', '/v1/session', { body: { email, password } }), 401, 'unauthorized');
      }
    });

    it('keeps at most bucketsMax buckets per map', () => {
      const throttle = new SignInThrottle({ bucketsMax: 3 });
      for (let index = 0; index < 10; index += 1) expect(throttle.take({ ip: `10.0.3.${index}`, email: `person.${index}@example.com`, now: 0 })).toBeUndefined();
      expect(throttle.bucketCounts).toEqual({ emails: 3, ips: 3 });
    });
  });

  it('shows the cookie helper reads the cookie the server set', async () => {
    const response = await app.api('POST', '/v1/session', { body: { email: owner.email, password } });
    expect(sessionCookieOf(response)).toMatch(/^quarry_session=qss_[\w-]{43}$/);
  });
});

/** The response, or a failure after a few seconds: a request the server never answers must fail the test, not hang it. */
async function withinSeconds<T extends Response>(pending: Promise<T>, what: string): Promise<T> {
  const answerMsMax = 5_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${answerMsMax} ms`)), answerMsMax);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
