import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Migrations live in code, not in files found at run time, so the compiled gateway and the test
 * suite apply exactly the same ones. Each is written once for both dialects; where their SQL
 * differs (auto-increment ids) the dialect is passed in.
 */
function createMigrations(dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the schema type exists
  type AnyDatabase = Kysely<any>;
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const createTableWithId = (database: AnyDatabase, name: string) =>
    database.schema
      .createTable(name)
      .addColumn('id', idType, (column) =>
        dialect === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
      );

  return {
    '0001_initial': {
      async up(database: AnyDatabase): Promise<void> {
        await createTableWithId(database, 'accounts')
          .addColumn('username', 'text', (column) => column.notNull().unique())
          .addColumn('email', 'text')
          .addColumn('role', 'text', (column) => column.notNull())
          .addColumn('parent_id', 'bigint', (column) => column.references('accounts.id'))
          .addColumn('password_hash', 'text')
          .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
        await database.schema
          .createIndex('accounts_parent')
          .on('accounts')
          .column('parent_id')
          .execute();

        await createTableWithId(database, 'api_keys')
          .addColumn('account_id', 'bigint', (column) => column.notNull().references('accounts.id'))
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('key_hash', 'text', (column) => column.notNull().unique())
          .addColumn('key_prefix', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
          .addColumn('expires_at', 'bigint')
          .addColumn('allowed_models', 'text')
          .addColumn('limits', 'text', (column) => column.notNull().defaultTo('{}'))
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .addColumn('last_used_at', 'bigint')
          .execute();
        await database.schema
          .createIndex('api_keys_account')
          .on('api_keys')
          .column('account_id')
          .execute();

        await createTableWithId(database, 'providers')
          .addColumn('name', 'text', (column) => column.notNull().unique())
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('base_url', 'text', (column) => column.notNull())
          .addColumn('api_key_encrypted', 'text')
          .addColumn('settings', 'text', (column) => column.notNull().defaultTo('{}'))
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .addColumn('updated_at', 'bigint', (column) => column.notNull())
          .execute();

        await database.schema
          .createTable('models')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('price_input', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('price_output', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('price_cached_input', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('price_per_request', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('context_window', 'bigint')
          .addColumn('max_output_tokens', 'bigint')
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .addColumn('updated_at', 'bigint', (column) => column.notNull())
          .execute();

        await createTableWithId(database, 'deployments')
          .addColumn('model_id', 'text', (column) =>
            column.notNull().references('models.id').onDelete('cascade'),
          )
          .addColumn('provider_id', 'bigint', (column) =>
            column.notNull().references('providers.id'),
          )
          .addColumn('upstream_model', 'text', (column) => column.notNull())
          .addColumn('priority', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('weight', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('timeouts', 'text', (column) => column.notNull().defaultTo('{}'))
          .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .addUniqueConstraint('deployments_model_provider_upstream', [
            'model_id',
            'provider_id',
            'upstream_model',
          ])
          .execute();

        await createTableWithId(database, 'usage_records')
          .addColumn('request_id', 'text', (column) => column.notNull().unique())
          .addColumn('account_id', 'bigint', (column) => column.notNull())
          .addColumn('api_key_id', 'bigint', (column) => column.notNull())
          .addColumn('model_id', 'text', (column) => column.notNull())
          .addColumn('deployment_id', 'bigint')
          .addColumn('prompt_tokens', 'bigint', (column) => column.notNull())
          .addColumn('completion_tokens', 'bigint', (column) => column.notNull())
          .addColumn('cached_tokens', 'bigint', (column) => column.notNull())
          .addColumn('cost', 'bigint', (column) => column.notNull())
          .addColumn('status', 'integer', (column) => column.notNull())
          .addColumn('error_code', 'text')
          .addColumn('latency_ms', 'bigint', (column) => column.notNull())
          .addColumn('first_token_ms', 'bigint')
          .addColumn('stream', 'integer', (column) => column.notNull())
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
        // The dashboard and summaries filter by who and what, then by time.
        for (const column of ['account_id', 'api_key_id', 'model_id']) {
          await database.schema
            .createIndex(`usage_records_${column}_created`)
            .on('usage_records')
            .columns([column, 'created_at'])
            .execute();
        }
        await database.schema
          .createIndex('usage_records_created')
          .on('usage_records')
          .column('created_at')
          .execute();

        await database.schema
          .createTable('catalog_state')
          .addColumn('id', 'integer', (column) => column.primaryKey())
          .addColumn('version', 'bigint', (column) => column.notNull())
          .execute();
        await sql`insert into catalog_state (id, version) values (1, 1)`.execute(database);
      },
    },
    '0002_money': {
      async up(database: AnyDatabase): Promise<void> {
        await database.schema
          .createTable('wallets')
          .addColumn('account_id', 'bigint', (column) =>
            column.primaryKey().references('accounts.id'),
          )
          .addColumn('balance', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('held', 'bigint', (column) => column.notNull().defaultTo(0))
          .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
          .addColumn('updated_at', 'bigint', (column) => column.notNull())
          // The database itself refuses a negative balance or more held than the balance.
          .addCheckConstraint('wallets_balance_covers_holds', sql`balance >= held and held >= 0`)
          .execute();
        await sql`insert into wallets (account_id, balance, held, status, updated_at)
          select id, 0, 0, 'active', created_at from accounts`.execute(database);

        await createTableWithId(database, 'ledger_entries')
          .addColumn('account_id', 'bigint', (column) => column.notNull().references('accounts.id'))
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('amount', 'bigint', (column) => column.notNull())
          .addColumn('balance_after', 'bigint', (column) => column.notNull())
          .addColumn('actor_account_id', 'bigint')
          .addColumn('reason', 'text')
          .addColumn('request_id', 'text')
          .addColumn('reference', 'text')
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
        await database.schema
          .createIndex('ledger_entries_account')
          .on('ledger_entries')
          .columns(['account_id', 'id'])
          .execute();
        // One charge per request, ever: the last line of defence against double charging.
        await database.schema
          .createIndex('ledger_entries_one_charge_per_request')
          .on('ledger_entries')
          .column('request_id')
          .unique()
          .where(sql.ref('kind'), '=', 'charge')
          .execute();

        await database.schema
          .createTable('holds')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('account_id', 'bigint', (column) => column.notNull().references('accounts.id'))
          .addColumn('amount', 'bigint', (column) => column.notNull())
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
        await database.schema
          .createIndex('holds_expires')
          .on('holds')
          .column('expires_at')
          .execute();

        await createTableWithId(database, 'recharge_codes')
          .addColumn('code_hash', 'text', (column) => column.notNull().unique())
          .addColumn('code_prefix', 'text', (column) => column.notNull())
          .addColumn('amount', 'bigint', (column) => column.notNull())
          .addColumn('issuer_account_id', 'bigint', (column) =>
            column.notNull().references('accounts.id'),
          )
          .addColumn('batch_id', 'text', (column) => column.notNull())
          .addColumn('prepaid', 'integer', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .addColumn('redeemed_by_account_id', 'bigint')
          .addColumn('redeemed_at', 'bigint')
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
        await database.schema
          .createIndex('recharge_codes_issuer')
          .on('recharge_codes')
          .columns(['issuer_account_id', 'id'])
          .execute();
        await database.schema
          .createIndex('recharge_codes_batch')
          .on('recharge_codes')
          .column('batch_id')
          .execute();

        await createTableWithId(database, 'audit_events')
          .addColumn('actor_account_id', 'bigint')
          .addColumn('actor_label', 'text', (column) => column.notNull())
          .addColumn('action', 'text', (column) => column.notNull())
          .addColumn('target_type', 'text', (column) => column.notNull())
          .addColumn('target_id', 'text')
          .addColumn('before_state', 'text')
          .addColumn('after_state', 'text')
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();

        await database.schema
          .createTable('sessions')
          .addColumn('token_hash', 'text', (column) => column.primaryKey())
          .addColumn('account_id', 'bigint', (column) => column.notNull().references('accounts.id'))
          .addColumn('csrf_token', 'text', (column) => column.notNull())
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
      },
    },
    '0003_account_limits': {
      async up(database: AnyDatabase): Promise<void> {
        // Default limits for every key of the account (a key's own limits win).
        await database.schema
          .alterTable('accounts')
          .addColumn('default_limits', 'text', (column) => column.notNull().defaultTo('{}'))
          .execute();
      },
    },
    '0004_model_aliases': {
      async up(database: AnyDatabase): Promise<void> {
        // Other names a model answers to, as a JSON array of strings.
        await database.schema
          .alterTable('models')
          .addColumn('aliases', 'text', (column) => column.notNull().defaultTo('[]'))
          .execute();
      },
    },
    '0005_usage_daily': {
      async up(database: AnyDatabase): Promise<void> {
        // Charts and the request log's paging read these few rows instead of millions of
        // records. They are written in the same transaction as the records, and outlive them
        // when retention deletes old records.
        await database.schema
          .createTable('usage_daily')
          .addColumn('day', 'integer', (column) => column.notNull())
          .addColumn('account_id', 'bigint', (column) => column.notNull())
          .addColumn('api_key_id', 'bigint', (column) => column.notNull())
          .addColumn('model_id', 'text', (column) => column.notNull())
          .addColumn('requests', 'bigint', (column) => column.notNull())
          .addColumn('errors', 'bigint', (column) => column.notNull())
          .addColumn('prompt_tokens', 'bigint', (column) => column.notNull())
          .addColumn('completion_tokens', 'bigint', (column) => column.notNull())
          .addColumn('cost', 'bigint', (column) => column.notNull())
          .addPrimaryKeyConstraint('usage_daily_key', [
            'day',
            'account_id',
            'api_key_id',
            'model_id',
          ])
          .execute();
        await database.schema
          .createIndex('usage_daily_account_day')
          .on('usage_daily')
          .columns(['account_id', 'day'])
          .execute();
        // Integer division of epoch milliseconds by a literal is the UTC day in both dialects.
        await sql`
          insert into usage_daily
            (day, account_id, api_key_id, model_id, requests, errors, prompt_tokens,
             completion_tokens, cost)
          select created_at / 86400000, account_id, api_key_id, model_id, count(*),
                 sum(case when status = 200 then 0 else 1 end), sum(prompt_tokens),
                 sum(completion_tokens), sum(cost)
          from usage_records
          group by created_at / 86400000, account_id, api_key_id, model_id
        `.execute(database);
      },
    },
  };
}

/** The migration provider for one dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => createMigrations(dialect) };
}
