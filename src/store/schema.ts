/** The store's tables, as kysely sees them. JSON is kept as text so SQLite and PostgreSQL agree. */

/** Every table a migcost store holds (migrations.ts creates them; kysely's two keep the schema history). */
export const STORE_TABLES = ['migcost_meta', 'vms', 'samples', 'migrations', 'migration_rounds', 'power_samples', 'models', 'sweep_runs', 'kysely_migration', 'kysely_migration_lock'] as const;

export interface MetaTable {
  key: string;
  value: string;
}

export interface VmsTable {
  id: string;
  name: string;
  memory_bytes: number;
  created_at: string;
}

export interface SamplesTable {
  id: string;
  vm_id: string;
  taken_at: string;
  memory_bytes: number;
  dirty_rate_bytes_per_sec: number;
  zero_page_fraction: number | null;
  cpu_utilisation: number | null;
  curve_json: string;
  source: string;
  /** {bitmapCurve, bitmapZeroShare} of a pseudo-migration, or null (0002). */
  pseudo_json: string | null;
}

export interface MigrationsTable {
  id: string;
  /** Null for an imported migration that named no VM (0005). */
  vm_id: string | null;
  /** Null for a migration without a sample: an imported log row (0005). */
  sample_id: string | null;
  started_at: string;
  config_json: string;
  status: string;
  total_time_sec: number;
  downtime_sec: number;
  transferred_bytes: number;
  rounds: number;
  /** How many rows migration_rounds holds for it: written in the same transaction. */
  trace_rows: number;
  measured_json: string;
  predicted_json: string;
  qemu_version: string;
  accelerator: string;
  /** When the migration itself started, or null (0002). */
  migration_started_at: string | null;
  /** The lab machine it ran on, as JSON ({cpu, cpus}), or null (0003). */
  host_json: string | null;
  /** What produced it: lab, execute or import; null in rows written before 0005. */
  source: string | null;
  /** The one dirty rate of a migration without a sample (0005); null where the sample has it. */
  dirty_rate_bytes_per_sec: number | null;
}

export interface MigrationRoundsTable {
  migration_id: string;
  round: number;
  kind: string;
  sent_bytes: number;
  duration_sec: number;
  rate_bytes_per_sec: number;
  dirtied_bytes: number;
  skipped_bytes: number;
  remaining_bytes: number;
  throttle: number;
}

export interface PowerSamplesTable {
  host: string;
  timestamp_sec: number;
  watts: number;
}

export interface ModelsTable {
  kind: string;
  version: number;
  params_json: string;
  r2: number | null;
  created_at: string;
}

/** One run of a policy sweep (0006): key = hash of every input; the inputs and the result as JSON. */
export interface SweepRunsTable {
  key: string;
  day: string;
  detector: string;
  detector_param: number;
  policy: string;
  seed: number;
  memory_source: string;
  inputs_json: string;
  result_json: string;
  wall_sec: number;
  finished_at: string;
}

export interface Database {
  migcost_meta: MetaTable;
  vms: VmsTable;
  samples: SamplesTable;
  migrations: MigrationsTable;
  migration_rounds: MigrationRoundsTable;
  power_samples: PowerSamplesTable;
  models: ModelsTable;
  sweep_runs: SweepRunsTable;
}
