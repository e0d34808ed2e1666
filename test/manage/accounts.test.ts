import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

// Creating an account or changing a password costs a scrypt hash (about a second here), so this
// file does each only where it is the point of the test.

let harness: ManageHarness;
let admin: Auth;
let adminSession: Auth;
let agentA: Auth;
let userA: Auth;

beforeAll(async () => {
  harness = await startManageHarness();
  admin = { kind: 'token', token: adminToken };
  adminSession = await harness.sessionFor(harness.cast.admin);
  agentA = await harness.sessionFor(harness.cast.agentA);
  userA = await harness.sessionFor(harness.cast.userA);
});

afterAll(async () => {
  await harness.close();
});

describe('creating accounts', () => {
  it('gives an agent’s new user to the agent, with a generated password shown once', async () => {
    const created = await harness.call(agentA, 'POST', '/accounts', {
      username: 'new-customer',
      email: 'customer@example.com',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'new-customer',
      role: 'user',
      parentId: harness.cast.agentA.id,
      status: 'active',
    });
    const password = created.body.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);
    const stored = await harness.gateway.gateway.store.accounts.findByUsername('new-customer');
    expect(await verifyPassword(password, stored?.passwordHash ?? '')).toBe(true);
    const shown = await harness.call(agentA, 'GET', `/accounts/${created.body.id as number}`);
    expect(shown.body).not.toHaveProperty('password');
    expect(shown.text).not.toContain('scrypt');
  });

  it('lets agents create users only, under themselves', async () => {
    const agent = await harness.call(agentA, 'POST', '/accounts', {
      username: 'sub-agent',
      role: 'agent',
    });
    expect(agent.status).toBe(403);
    const elsewhere = await harness.call(agentA, 'POST', '/accounts', {
      username: 'stray',
      parentId: harness.cast.agentB.id,
    });
    expect(elsewhere.status).toBe(403);
  });

  it('checks names, parents and duplicates before hashing anything', async () => {
    const taken = await harness.call(admin, 'POST', '/accounts', { username: 'agent-a' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'already_exists', param: 'username' } });
    const spaces = await harness.call(admin, 'POST', '/accounts', { username: 'has space' });
    expect(spaces.body).toMatchObject({ error: { code: 'invalid_value', param: 'username' } });
    const notAgent = await harness.call(admin, 'POST', '/accounts', {
      username: 'child',
      parentId: harness.cast.userA.id,
    });
    expect(notAgent.body).toMatchObject({ error: { code: 'invalid_value', param: 'parentId' } });
    const agentChild = await harness.call(admin, 'POST', '/accounts', {
      username: 'child',
      role: 'agent',
      parentId: harness.cast.agentA.id,
    });
    expect(agentChild.body).toMatchObject({ error: { param: 'parentId' } });
    const short = await harness.call(admin, 'POST', '/accounts', {
      username: 'child',
      password: 'short',
    });
    expect(short.body).toMatchObject({ error: { code: 'invalid_value', param: 'password' } });
  });
});

describe('listing accounts', () => {
  it('scopes the list by role and filters it', async () => {
    const usernames = async (auth: Auth, query = '') =>
      (
        (await harness.call(auth, 'GET', `/accounts${query}`)).body.data as Array<{
          username: string;
        }>
      ).map((account) => account.username);
    expect(await usernames(userA)).toEqual(['user-a']);
    expect(await usernames(agentA)).toEqual(expect.arrayContaining(['agent-a', 'user-a']));
    expect(await usernames(agentA)).not.toContain('user-b');
    expect(await usernames(admin, '?role=agent')).toEqual(['agent-a', 'agent-b']);
    expect(await usernames(admin, `?parentId=${harness.cast.agentB.id}`)).toEqual(['user-b']);
  });
});

describe('updating accounts', () => {
  it('makes you prove your current password to change your own', async () => {
    const self = harness.cast.admin;
    const without = await harness.call(adminSession, 'PATCH', `/accounts/${self.id}`, {
      password: 'a-brand-new-password',
    });
    expect(without.status).toBe(400);
    expect(without.body).toMatchObject({ error: { param: 'currentPassword' } });
    const wrong = await harness.call(adminSession, 'PATCH', `/accounts/${self.id}`, {
      password: 'a-brand-new-password',
      currentPassword: 'not-it',
    });
    expect(wrong.status).toBe(400);
  });

  it('lets the agent of a user reset its password, but not the user’s neighbour', async () => {
    const reset = await harness.call(agentA, 'PATCH', `/accounts/${harness.cast.userA.id}`, {
      password: 'reset-by-my-agent',
    });
    expect(reset.status).toBe(200);
    const stored = await harness.gateway.gateway.store.accounts.findById(harness.cast.userA.id);
    expect(await verifyPassword('reset-by-my-agent', stored?.passwordHash ?? '')).toBe(true);
    const agentSelfStatus = await harness.call(
      agentA,
      'PATCH',
      `/accounts/${harness.cast.userA.id}`,
      { status: 'disabled' },
    );
    expect(agentSelfStatus.status).toBe(403);
  });

  it('lets admins disable an account, which ends its access at once; never their own', async () => {
    const own = await harness.call(adminSession, 'PATCH', `/accounts/${harness.cast.admin.id}`, {
      status: 'disabled',
    });
    expect(own.status).toBe(403);
    const target = await harness.account('to-disable', 'user');
    const session = await harness.sessionFor(target);
    const disabled = await harness.call(admin, 'PATCH', `/accounts/${target.id}`, {
      status: 'disabled',
    });
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    expect((await harness.call(session, 'GET', '/session')).status).toBe(401);
  });

  it('treats an empty body with a JSON content type as no fields', async () => {
    const response = await fetch(
      `${harness.gateway.url}/api/manage/accounts/${harness.cast.userB.id}`,
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      },
    );
    expect(response.status).toBe(200);
    const broken = await fetch(
      `${harness.gateway.url}/api/manage/accounts/${harness.cast.userB.id}`,
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: '{"email":',
      },
    );
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });
});
