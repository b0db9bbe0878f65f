import Lakehouse

/// The alerts' standing state and their evaluation history (step 04), kept in the tracking
/// database beside the job runs that evaluated them.
enum AlertSchema {
    static let v3 = Migrator.Migration("v3_alerts", sql: """
        CREATE TABLE alert_states (
            alert_name TEXT PRIMARY KEY,
            state TEXT NOT NULL,              -- OK, TRIGGERED, UNKNOWN
            value TEXT,                       -- the last evaluated value, as text
            since REAL NOT NULL,              -- when the alert entered this state
            last_evaluated REAL NOT NULL,
            last_notified REAL                -- the last notification sent for this state
        ) WITHOUT ROWID;
        CREATE TABLE alert_history (
            evaluation_id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_name TEXT NOT NULL,
            job_run_id INTEGER,
            evaluated_at REAL NOT NULL,
            state TEXT NOT NULL,
            previous_state TEXT,
            value TEXT,
            threshold TEXT,
            reason TEXT NOT NULL DEFAULT '',  -- why UNKNOWN, or the condition that held
            notified INTEGER NOT NULL DEFAULT 0,
            deliveries_json TEXT NOT NULL DEFAULT '[]'  -- [{"destination","kind","outcome","attempts","error"}]
        );
        CREATE INDEX alert_history_by_alert ON alert_history(alert_name, evaluated_at);
        """)
}
