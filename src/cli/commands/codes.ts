import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMoney, parseMoney } from '../../billing/money.js';
import { issueRechargeCodes, rechargeCodesCsv } from '../../billing/recharge-codes.js';
import { MoneyError } from '../../store/money-contract.js';
import { parseExpiry } from '../parse-duration.js';
import { optionalString, printTable, requireString, UsageError, type Command } from '../command.js';

const maximumBatch = 10_000;

export const codesIssue: Command = {
  group: 'codes',
  name: 'issue',
  summary: 'Issue a batch of single-use recharge codes and write them to a CSV file (shown once)',
  usage: '--issuer NAME --count N --amount 10.00 --expires 30d --out codes.csv',
  options: {
    issuer: { type: 'string' },
    count: { type: 'string' },
    amount: { type: 'string' },
    expires: { type: 'string' },
    out: { type: 'string' },
  },
  optionHelp: {
    issuer: "the admin or agent issuing them; an agent's wallet pays for the whole batch now",
    count: `how many codes (1 to ${maximumBatch})`,
    amount: 'what each code is worth, in currency units (e.g. 10.00)',
    expires: 'a duration from now (30d, 12h) or an ISO 8601 date',
    out: 'the CSV file to write (must not exist); the codes are never shown again',
  },
  async run(context, values) {
    const issuerName = requireString(values, 'issuer');
    const countText = requireString(values, 'count');
    if (!/^\d+$/.test(countText) || Number(countText) < 1 || Number(countText) > maximumBatch) {
      throw new UsageError(`--count must be a whole number from 1 to ${maximumBatch}`);
    }
    let amount: number;
    try {
      amount = parseMoney(requireString(values, 'amount'));
    } catch (error) {
      throw new UsageError(`--amount: ${(error as Error).message}`);
    }
    if (amount <= 0) throw new UsageError('--amount must be more than zero');
    let expiresAt: number;
    try {
      expiresAt = parseExpiry(requireString(values, 'expires'), Date.now());
    } catch (error) {
      throw new UsageError(`--expires: ${(error as Error).message}`);
    }
    if (expiresAt <= Date.now()) throw new UsageError('--expires must be in the future');
    const out = path.resolve(context.workingDirectory, requireString(values, 'out'));
    const store = await context.store();
    const issuer = await store.accounts.findByUsername(issuerName);
    if (!issuer)
      throw new UsageError(`no account is named '${issuerName}' (see: switchyard users list)`);
    if (issuer.role === 'user')
      throw new UsageError(`'${issuerName}' is a user; only admins and agents issue codes`);
    let batch;
    try {
      batch = await issueRechargeCodes(store, {
        issuerAccountId: issuer.id,
        issuerRole: issuer.role,
        count: Number(countText),
        amount,
        expiresAt,
      });
    } catch (error) {
      if (error instanceof MoneyError) throw new UsageError(error.message);
      throw error;
    }
    // 'wx': never overwrite a file, least of all an earlier batch's codes.
    writeFileSync(out, rechargeCodesCsv(batch), { mode: 0o600, flag: 'wx' });
    await store.audit.append({
      actorAccountId: null,
      actorLabel: 'cli',
      action: 'recharge_codes.issue',
      targetType: 'recharge_batch',
      targetId: batch.batchId,
      before: null,
      after: { issuer: issuer.username, count: batch.codes.length, amount, expiresAt },
    });
    context.stdout.write(
      `Issued ${batch.codes.length} codes of ${formatMoney(amount)} (batch ${batch.batchId}) to ${out}.\n` +
        (issuer.role === 'agent'
          ? `${issuer.username}'s wallet paid ${formatMoney(amount * batch.codes.length)}.\n`
          : ''),
    );
    return 0;
  },
};

export const codesList: Command = {
  group: 'codes',
  name: 'list',
  summary: 'List recharge codes (prefixes only) and who redeemed them',
  usage: '[--issuer NAME] [--batch ID] [--json]',
  options: {
    issuer: { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  optionHelp: {
    issuer: 'only codes this account issued',
    batch: 'only this batch',
    json: 'print JSON',
  },
  async run(context, values) {
    const store = await context.store();
    const issuerName = optionalString(values, 'issuer');
    let issuerAccountId: number | undefined;
    if (issuerName !== undefined) {
      const issuer = await store.accounts.findByUsername(issuerName);
      if (!issuer) throw new UsageError(`no account is named '${issuerName}'`);
      issuerAccountId = issuer.id;
    }
    const batchId = optionalString(values, 'batch');
    const codes = await store.rechargeCodes.list({
      ...(issuerAccountId === undefined ? {} : { issuerAccountId }),
      ...(batchId === undefined ? {} : { batchId }),
    });
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(codes, null, 2)}\n`);
      return 0;
    }
    const names = new Map(
      (await store.accounts.list()).map((account) => [account.id, account.username]),
    );
    printTable(
      context.stdout,
      ['ID', 'PREFIX', 'AMOUNT', 'STATUS', 'BATCH', 'EXPIRES', 'REDEEMED BY'],
      codes.map((code) => [
        String(code.id),
        `${code.codePrefix}…`,
        formatMoney(code.amount),
        code.status,
        code.batchId,
        new Date(code.expiresAt).toISOString(),
        code.redeemedByAccountId === null
          ? ''
          : (names.get(code.redeemedByAccountId) ?? String(code.redeemedByAccountId)),
      ]),
    );
    return 0;
  },
};
