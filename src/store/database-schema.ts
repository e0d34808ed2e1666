import type { Generated } from 'kysely';

/**
 * The tables as both dialects store them. Booleans are 0/1 integers and times are epoch
 * milliseconds so one schema and one set of queries serve SQLite and PostgreSQL alike; JSON
 * columns are text, parsed on read.
 */
export interface DatabaseSchema {
  accounts: {
    id: Generated<number>;
    username: string;
    email: string | null;
    role: string;
    parent_id: number | null;
    password_hash: string | null;
    status: string;
    default_limits: Generated<string>;
    created_at: number;
  };
  api_keys: {
    id: Generated<number>;
    account_id: number;
    name: string;
    key_hash: string;
    key_prefix: string;
    status: string;
    expires_at: number | null;
    allowed_models: string | null;
    limits: string;
    created_at: number;
    last_used_at: number | null;
  };
  providers: {
    id: Generated<number>;
    name: string;
    kind: string;
    base_url: string;
    api_key_encrypted: string | null;
    settings: string;
    created_at: number;
    updated_at: number;
  };
  models: {
    id: string;
    kind: string;
    price_input: number;
    price_output: number;
    price_cached_input: number;
    price_per_request: number;
    context_window: number | null;
    max_output_tokens: number | null;
    /** JSON array of strings. */
    aliases: string;
    created_at: number;
    updated_at: number;
  };
  deployments: {
    id: Generated<number>;
    model_id: string;
    provider_id: number;
    upstream_model: string;
    priority: number;
    weight: number;
    timeouts: string;
    enabled: number;
    created_at: number;
  };
  usage_records: {
    id: Generated<number>;
    request_id: string;
    account_id: number;
    api_key_id: number;
    model_id: string;
    deployment_id: number | null;
    prompt_tokens: number;
    completion_tokens: number;
    cached_tokens: number;
    cost: number;
    status: number;
    error_code: string | null;
    latency_ms: number;
    first_token_ms: number | null;
    stream: number;
    created_at: number;
  };
  /** Usage per UTC day, account, key and model; written with each usage record. */
  usage_daily: {
    day: number;
    account_id: number;
    api_key_id: number;
    model_id: string;
    requests: number;
    errors: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost: number;
  };
  wallets: {
    account_id: number;
    balance: number;
    held: number;
    status: string;
    updated_at: number;
  };
  ledger_entries: {
    id: Generated<number>;
    account_id: number;
    kind: string;
    amount: number;
    balance_after: number;
    actor_account_id: number | null;
    reason: string | null;
    request_id: string | null;
    reference: string | null;
    created_at: number;
  };
  holds: {
    id: string;
    account_id: number;
    amount: number;
    expires_at: number;
    created_at: number;
  };
  recharge_codes: {
    id: Generated<number>;
    code_hash: string;
    code_prefix: string;
    amount: number;
    issuer_account_id: number;
    batch_id: string;
    prepaid: number;
    status: string;
    expires_at: number;
    redeemed_by_account_id: number | null;
    redeemed_at: number | null;
    created_at: number;
  };
  audit_events: {
    id: Generated<number>;
    actor_account_id: number | null;
    actor_label: string;
    action: string;
    target_type: string;
    target_id: string | null;
    before_state: string | null;
    after_state: string | null;
    created_at: number;
  };
  sessions: {
    token_hash: string;
    account_id: number;
    csrf_token: string;
    expires_at: number;
    created_at: number;
  };
  catalog_state: {
    id: number;
    version: number;
  };
}
