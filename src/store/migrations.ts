/** Versioned schema migrations, run on open by kysely's Migrator. Never edit a released one: add another. */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

// Big integers (bytes) as double precision: exact to 2^53, and read back as JS numbers by both drivers.
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('migcost_meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.insertInto('migcost_meta').values({ key: 'app', value: 'migcost' }).execute();
      await db.schema
        .createTable('vms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('memory_bytes', 'double precision', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('samples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vm_id', 'text', (c) => c.notNull().references('vms.id'))
        .addColumn('taken_at', 'text', (c) => c.notNull())
        .addColumn('memory_bytes', 'double precision', (c) => c.notNull())
        .addColumn('dirty_rate_bytes_per_sec', 'double precision', (c) => c.notNull())
        .addColumn('zero_page_fraction', 'double precision')
        .addColumn('cpu_utilisation', 'double precision')
        .addColumn('curve_json', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('migrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vm_id', 'text', (c) => c.notNull().references('vms.id'))
        .addColumn('sample_id', 'text', (c) => c.notNull().references('samples.id'))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('config_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total_time_sec', 'double precision', (c) => c.notNull())
        .addColumn('downtime_sec', 'double precision', (c) => c.notNull())
        .addColumn('transferred_bytes', 'double precision', (c) => c.notNull())
        .addColumn('rounds', 'integer', (c) => c.notNull())
        .addColumn('trace_rows', 'integer', (c) => c.notNull())
        .addColumn('measured_json', 'text', (c) => c.notNull())
        .addColumn('predicted_json', 'text', (c) => c.notNull())
        .addColumn('qemu_version', 'text', (c) => c.notNull())
        .addColumn('accelerator', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('migrations_vm_started').on('migrations').columns(['vm_id', 'started_at']).execute();
      await db.schema
        .createTable('migration_rounds')
        .addColumn('migration_id', 'text', (c) => c.notNull().references('migrations.id'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('sent_bytes', 'double precision', (c) => c.notNull())
        .addColumn('duration_sec', 'double precision', (c) => c.notNull())
        .addColumn('rate_bytes_per_sec', 'double precision', (c) => c.notNull())
        .addColumn('dirtied_bytes', 'double precision', (c) => c.notNull())
        .addColumn('skipped_bytes', 'double precision', (c) => c.notNull())
        .addColumn('remaining_bytes', 'double precision', (c) => c.notNull())
        .addColumn('throttle', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('migration_rounds_pk', ['migration_id', 'round'])
        .execute();
      await db.schema
        .createTable('power_samples')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('timestamp_sec', 'double precision', (c) => c.notNull())
        .addColumn('watts', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('power_samples_pk', ['host', 'timestamp_sec'])
        .execute();
      await db.schema
        .createTable('models')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('params_json', 'text', (c) => c.notNull())
        .addColumn('r2', 'double precision')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('models_pk', ['kind', 'version'])
        .execute();
    },
  },
  // What a pseudo-migration adds to a sample (bitmap counts per round, the zero share of re-sent pages, QEMU's
  // later zero-page count and the growth since the dump), as JSON: before this, a sample read back from the
  // store had lost them. And when the migration itself started (after the sample and the destination's boot).
  '0002_sample_pseudo_migration': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('samples').addColumn('pseudo_json', 'text').execute();
      await db.schema.alterTable('migrations').addColumn('migration_started_at', 'text').execute();
    },
  },
  '0003_migration_host': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('migrations').addColumn('host_json', 'text').execute();
    },
  },
  // Reads bounded by what they return: a page of one VM's migrations or samples, and the latest migrations, each
  // read along an index instead of sorting all history.
  '0004_paging_indexes': {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('migrations_started_id').on('migrations').columns(['started_at', 'id']).execute();
      await db.schema.createIndex('migrations_vm_started_id').on('migrations').columns(['vm_id', 'started_at', 'id']).execute();
      await db.schema.createIndex('samples_vm_taken_id').on('samples').columns(['vm_id', 'taken_at', 'id']).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
