/** Versioned schema migrations, run on open by kysely's Migrator. Never edit a released one: add another. */
import { SqliteAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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
  // Migrations without a sample: an operator's log imported (`history import`) has only memory, one dirty rate, the
  // link and the measured totals. sample_id and vm_id may be null; `source` says what produced a migration (lab,
  // execute, import; null in rows written before) and `dirty_rate_bytes_per_sec` keeps the one rate of a row without
  // a sample. SQLite cannot drop a NOT NULL: the two tables are rebuilt (rounds first, so no foreign key is broken).
  '0005_migrations_without_sample': {
    async up(db: Kysely<any>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) await rebuildSqliteMigrations(db);
      else {
        await db.schema.alterTable('migrations').alterColumn('sample_id', (c) => c.dropNotNull()).execute();
        await db.schema.alterTable('migrations').alterColumn('vm_id', (c) => c.dropNotNull()).execute();
      }
      await db.schema.alterTable('migrations').addColumn('source', 'text').execute();
      await db.schema.alterTable('migrations').addColumn('dirty_rate_bytes_per_sec', 'double precision').execute();
    },
  },
  // One simulated run of a policy sweep (`migcost sweep`): its key is a hash of every input, the inputs echoed as
  // JSON, and the result. A sweep skips the runs whose key is stored, so a crashed one resumes where it stopped.
  '0006_sweep_runs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sweep_runs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('detector', 'text', (c) => c.notNull())
        .addColumn('detector_param', 'double precision', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('seed', 'integer', (c) => c.notNull())
        .addColumn('memory_source', 'text', (c) => c.notNull())
        .addColumn('inputs_json', 'text', (c) => c.notNull())
        .addColumn('result_json', 'text', (c) => c.notNull())
        .addColumn('wall_sec', 'double precision', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** The 12-step rebuild of SQLite's ALTER TABLE documentation, with foreign keys on: new tables, copy, drop, rename. */
async function rebuildSqliteMigrations(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('migrations_new')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vm_id', 'text', (c) => c.references('vms.id'))
    .addColumn('sample_id', 'text', (c) => c.references('samples.id'))
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
    .addColumn('migration_started_at', 'text')
    .addColumn('host_json', 'text')
    .execute();
  const cols = 'id, vm_id, sample_id, started_at, config_json, status, total_time_sec, downtime_sec, transferred_bytes, rounds, trace_rows, measured_json, predicted_json, qemu_version, accelerator, migration_started_at, host_json';
  await sql.raw(`insert into migrations_new (${cols}) select ${cols} from migrations`).execute(db);
  await db.schema
    .createTable('migration_rounds_new')
    // References the new table: renaming it to migrations below renames the reference with it.
    .addColumn('migration_id', 'text', (c) => c.notNull().references('migrations_new.id'))
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
  await sql.raw('insert into migration_rounds_new select migration_id, round, kind, sent_bytes, duration_sec, rate_bytes_per_sec, dirtied_bytes, skipped_bytes, remaining_bytes, throttle from migration_rounds').execute(db);
  await db.schema.dropTable('migration_rounds').execute();
  await db.schema.dropTable('migrations').execute();
  await db.schema.alterTable('migrations_new').renameTo('migrations').execute();
  await db.schema.alterTable('migration_rounds_new').renameTo('migration_rounds').execute();
  await db.schema.createIndex('migrations_vm_started').on('migrations').columns(['vm_id', 'started_at']).execute();
  await db.schema.createIndex('migrations_started_id').on('migrations').columns(['started_at', 'id']).execute();
  await db.schema.createIndex('migrations_vm_started_id').on('migrations').columns(['vm_id', 'started_at', 'id']).execute();
}

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
