/**
 * The shapes the management API answers with, mirrored from src/manage/views. Money comes twice:
 * as decimal text with six places (`balance: "12.500000"`) and as integer micro-units
 * (`balanceMicros`); display the text, compute with the micro-units.
 */

export type Role = 'admin' | 'agent' | 'user';

export interface Limits {
  rpm?: number;
  tpm?: number;
  rpd?: number;
  dailySpend?: string;
  dailySpendMicros?: number;
  tokenQuota?: number;
  tokenQuotaPeriod?: 'lifetime' | 'month';
  maxConcurrency?: number;
}

export interface Account {
  id: number;
  username: string;
  email: string | null;
  role: Role;
  parentId: number | null;
  status: 'active' | 'disabled';
  defaultLimits: Limits;
  createdAt: string;
}

export interface CreatedAccount extends Account {
  /** The generated password, shown once; absent when one was given. */
  password?: string;
}

export interface Session {
  account: Account | null;
  role: Role;
  authenticatedBy: 'session' | 'admin_token';
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface Wallet {
  accountId: number;
  status: 'active' | 'suspended';
  balance: string;
  balanceMicros: number;
  held: string;
  heldMicros: number;
  available: string;
  availableMicros: number;
  updatedAt: string;
}

export type LedgerKind = 'topup' | 'transfer_out' | 'transfer_in' | 'charge' | 'refund' | 'adjust';

export interface LedgerEntry {
  id: number;
  accountId: number;
  kind: LedgerKind;
  amount: string;
  amountMicros: number;
  balanceAfter: string;
  balanceAfterMicros: number;
  actorAccountId: number | null;
  reason: string | null;
  requestId: string | null;
  reference: string | null;
  createdAt: string;
}

export interface ApiKey {
  id: number;
  accountId: number;
  name: string;
  prefix: string;
  status: 'active' | 'disabled';
  models: string[] | null;
  expiresAt: string | null;
  limits: Limits;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The key itself, shown this once. */
  key: string;
}

export interface Prices {
  input: string;
  output: string;
  cachedInput: string;
  perRequest: string;
}

export interface Deployment {
  id: number;
  modelId: string;
  providerId: number;
  providerName: string;
  upstreamModel: string;
  priority: number;
  weight: number;
  enabled: boolean;
  timeouts: {
    connectMilliseconds: number;
    firstByteMilliseconds: number;
    idleMilliseconds: number;
  };
}

export interface Model {
  id: string;
  kind: 'chat' | 'embedding';
  prices: Prices;
  pricesMicros: Record<keyof Prices, number>;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  createdAt: string;
  updatedAt: string;
  /** Admins only. */
  deployments?: Deployment[];
}

export interface UsageRecord {
  requestId: string;
  accountId: number;
  keyId: number;
  model: string;
  deploymentId: number | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cost: string;
  costMicros: number;
  status: number;
  errorCode: string | null;
  latencyMilliseconds: number;
  firstTokenMilliseconds: number | null;
  stream: boolean;
  createdAt: string;
}

export type UsageGrouping = 'day' | 'model' | 'key';

export interface UsageSummaryRow {
  bucket: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cost: string;
  costMicros: number;
}

export interface UsageSummary {
  groupBy: UsageGrouping;
  from: string;
  to: string;
  data: UsageSummaryRow[];
  total: UsageSummaryRow;
}

export interface RechargeCode {
  id: number;
  prefix: string;
  amount: string;
  amountMicros: number;
  batchId: string;
  status: 'active' | 'redeemed' | 'void';
  expiresAt: string;
  issuerAccountId: number;
  redeemedByAccountId: number | null;
  redeemedAt: string | null;
  createdAt: string;
}

export interface IssuedRechargeCodes {
  batchId: string;
  codes: { code: string; prefix: string; amount: string; expiresAt: string }[];
  csv: string;
}

export interface AuditEvent {
  id: number;
  actorAccountId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

/** A list route's answer. */
export interface ListOf<Item> {
  data: Item[];
}

/** A paged list route's answer; nextCursor is null on the last page. */
export interface PageOf<Item> {
  data: Item[];
  nextCursor: string | null;
}
