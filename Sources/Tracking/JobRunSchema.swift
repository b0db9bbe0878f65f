import Lakehouse

/// The tables of job runs, task runs, repairs and task values, kept in the tracking
/// database so that one file tells the whole story of a run.
enum JobRunSchema {
    static let v2 = Migrator.Migration("v2_job_runs", sql: """
        CREATE TABLE job_runs (
            run_id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_name TEXT NOT NULL,
            manifest_path TEXT NOT NULL,
            manifest_json TEXT NOT NULL,
            parameters_json TEXT NOT NULL,
            experiment_id INTEGER REFERENCES experiments(experiment_id),
            life_cycle_state TEXT NOT NULL,
            result_state TEXT,
            state_message TEXT NOT NULL DEFAULT '',
            start_time REAL NOT NULL,
            end_time REAL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            max_concurrent_runs INTEGER NOT NULL DEFAULT 1,
            run_type TEXT NOT NULL DEFAULT 'JOB_RUN'
        );
        CREATE INDEX job_runs_by_job ON job_runs(job_name, life_cycle_state);
        CREATE TABLE repairs (
            repair_id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_run_id INTEGER NOT NULL REFERENCES job_runs(run_id),
            task_keys_json TEXT NOT NULL,
            start_time REAL NOT NULL,
            end_time REAL,
            result_state TEXT,
            pid INTEGER NOT NULL
        );
        CREATE TABLE task_runs (
            task_run_id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_run_id INTEGER NOT NULL REFERENCES job_runs(run_id),
            task_key TEXT NOT NULL,
            notebook_path TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            repair_id INTEGER REFERENCES repairs(repair_id),
            life_cycle_state TEXT NOT NULL,
            result_state TEXT,
            state_message TEXT NOT NULL DEFAULT '',
            parameters_json TEXT NOT NULL DEFAULT '{}',
            tracking_run_id TEXT,
            start_time REAL,
            end_time REAL
        );
        CREATE INDEX task_runs_by_job_run ON task_runs(job_run_id, task_key, attempt);
        CREATE TABLE task_values (
            job_run_id INTEGER NOT NULL REFERENCES job_runs(run_id),
            task_key TEXT NOT NULL,
            name TEXT NOT NULL,
            value_json TEXT NOT NULL,
            set_time REAL NOT NULL,
            PRIMARY KEY (job_run_id, task_key, name)
        );
        """)
}
