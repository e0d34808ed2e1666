import { generatePassword, hashPassword } from '../../auth/passwords.js';
import type { Role } from '../../store/records.js';
import { optionalString, printTable, requireString, UsageError, type Command } from '../command.js';

const roles: readonly Role[] = ['admin', 'agent', 'user'];

function isRole(text: string): text is Role {
  return (roles as readonly string[]).includes(text);
}

export const usersCreate: Command = {
  group: 'users',
  name: 'create',
  summary: 'Create an account (user, agent or admin)',
  usage:
    '--username NAME [--role user|agent|admin] [--email EMAIL] [--agent NAME] [--password PASSWORD]',
  options: {
    username: { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    agent: { type: 'string' },
    password: { type: 'string' },
  },
  optionHelp: {
    username: 'login name, unique',
    role: 'user (default), agent or admin',
    email: 'contact address',
    agent: 'the agent this user belongs to',
    password: 'login password (12+ characters); one is generated and printed when omitted',
  },
  async run(context, values) {
    const username = requireString(values, 'username');
    if (!/^[^\s\p{Cc}]{1,64}$/u.test(username))
      throw new UsageError('--username: use 1 to 64 characters without spaces');
    const role = optionalString(values, 'role') ?? 'user';
    if (!isRole(role))
      throw new UsageError(`--role: '${role}' is not a role; use one of ${roles.join(', ')}`);
    const email = optionalString(values, 'email');
    if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email))
      throw new UsageError(`--email: '${email}' is not an email address`);
    const given = optionalString(values, 'password');
    if (given !== undefined && given.length < 12)
      throw new UsageError(
        `--password must be at least 12 characters (it has ${given.length}); leave it out to get a generated one`,
      );
    const agentName = optionalString(values, 'agent');
    if (agentName !== undefined && role !== 'user')
      throw new UsageError(`--agent: only user accounts belong to an agent, not ${role} accounts`);
    const store = await context.store();
    if (await store.accounts.findByUsername(username))
      throw new UsageError(
        `an account named '${username}' already exists (see: switchyard users list)`,
      );
    let parentId: number | null = null;
    if (agentName !== undefined) {
      const agent = await store.accounts.findByUsername(agentName);
      if (!agent) throw new UsageError(`--agent: no account is named '${agentName}'`);
      if (agent.role !== 'agent')
        throw new UsageError(
          `--agent: '${agentName}' is a${agent.role === 'admin' ? 'n' : ''} ${agent.role} account, not an agent`,
        );
      parentId = agent.id;
    }
    const password = given ?? generatePassword();
    const account = await store.accounts.create({
      username,
      role,
      email: email ?? null,
      parentId,
      passwordHash: await hashPassword(password),
    });
    const under = agentName === undefined ? '' : ` under agent '${agentName}'`;
    context.stdout.write(`Created ${role} '${account.username}' (id ${account.id})${under}.\n`);
    if (given === undefined) context.stdout.write(`Password (shown once): ${password}\n`);
    return 0;
  },
};

export const usersList: Command = {
  group: 'users',
  name: 'list',
  summary: 'List accounts',
  usage: '[--json]',
  options: { json: { type: 'boolean', default: false } },
  optionHelp: { json: 'print JSON instead of a table' },
  async run(context, values) {
    const accounts = await (await context.store()).accounts.list();
    if (values.json === true) {
      context.stdout.write(
        `${JSON.stringify(
          accounts.map(({ passwordHash: _hash, ...account }) => account),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const byId = new Map(accounts.map((account) => [account.id, account.username]));
    printTable(
      context.stdout,
      ['ID', 'USERNAME', 'ROLE', 'AGENT', 'STATUS', 'CREATED'],
      accounts.map((account) => [
        String(account.id),
        account.username,
        account.role,
        account.parentId === null ? '' : (byId.get(account.parentId) ?? String(account.parentId)),
        account.status,
        new Date(account.createdAt).toISOString(),
      ]),
    );
    return 0;
  },
};
