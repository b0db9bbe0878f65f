import Lakehouse

/// The tracking database schema, as ordered migrations.
///
/// Conventions, shared with the job-run tables:
/// - times are Unix seconds as `REAL` (fractional, microsecond resolution);
/// - run ids are 32 lowercase hex characters (a random UUID without dashes, as MLflow);
/// - tables that are read by key and never scanned by rowid are `WITHOUT ROWID`, so each
///   write touches one b-tree instead of a table plus an index.
enum TrackingSchema {
    static let migrator = Migrator(product: "runme", [v1, JobRunSchema.v2, AlertSchema.v3])

    /// Version 1: experiments, runs, params, metrics, tags, artifacts and the model registry.
    static let v1 = Migrator.Migration("v1_tracking", sql: """
        CREATE TABLE experiments (
            experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            -- Relative to the store directory, so that a store can be moved or copied whole.
            artifact_location TEXT NOT NULL,
            creation_time REAL NOT NULL,
            last_update_time REAL NOT NULL
        );
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
        ) WITHOUT ROWID;

        -- run_seq is internal: the tables of logged values are keyed by it rather than by the
        -- random run_id, so that one run's rows sit together at the end of each b-tree (a
        -- logging call rewrites the same last page instead of a random one), and rows are
        -- 32 bytes smaller. Runs are never deleted, so a run_seq is never reused.
        CREATE TABLE runs (
            run_seq INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')),
            start_time REAL NOT NULL,
            end_time REAL,
            parent_run_id TEXT REFERENCES runs(run_id),
            -- Links to job_runs(run_id) and a task key; no foreign key because job_runs
            -- arrives in a later migration and tracking runs may exist without a job.
            job_run_id INTEGER,
            task_key TEXT
        );
        CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
        CREATE INDEX runs_by_parent ON runs(parent_run_id) WHERE parent_run_id IS NOT NULL;
        CREATE INDEX runs_by_job_run ON runs(job_run_id, task_key) WHERE job_run_id IS NOT NULL;

        CREATE TABLE params (
            run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID;

        CREATE TABLE run_tags (
            run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID;

        -- Append-only history. The key is the read order of a history (run, key, step,
        -- timestamp, value), so a history read is one range scan and there is no other index
        -- to maintain. SQLite stores NaN as NULL, so NaN is value 0 with is_nan 1 (as MLflow);
        -- identical points collapse into one row (as MLflow).
        CREATE TABLE metrics (
            run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
            key TEXT NOT NULL,
            step INTEGER NOT NULL,
            timestamp REAL NOT NULL,
            value REAL NOT NULL,
            is_nan INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_seq, key, step, timestamp, value, is_nan)
        ) WITHOUT ROWID;

        -- The last point of each history in that same order, kept by an upsert on every log.
        CREATE TABLE latest_metrics (
            run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
            key TEXT NOT NULL,
            step INTEGER NOT NULL,
            timestamp REAL NOT NULL,
            value REAL NOT NULL,
            is_nan INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID;

        CREATE TABLE artifacts (
            run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            logged_time REAL NOT NULL,
            PRIMARY KEY (run_seq, path)
        ) WITHOUT ROWID;

        CREATE TABLE registered_models (
            name TEXT NOT NULL PRIMARY KEY,
            description TEXT NOT NULL DEFAULT '',
            creation_time REAL NOT NULL,
            last_updated_time REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models(name),
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            run_id TEXT REFERENCES runs(run_id),
            description TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'READY',
            creation_time REAL NOT NULL,
            last_updated_time REAL NOT NULL,
            PRIMARY KEY (name, version)
        ) WITHOUT ROWID;
        CREATE INDEX model_versions_by_run ON model_versions(run_id) WHERE run_id IS NOT NULL;
        CREATE TABLE model_aliases (
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
        ) WITHOUT ROWID;
        """)
}
