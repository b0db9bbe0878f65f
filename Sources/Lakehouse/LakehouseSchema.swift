import Foundation

/// The results ("lakehouse") database of a store: the tables the job's steps write and that
/// analysts query, with the accelerator's names so that its SQL reads the same here.
///
/// One ordered list of named migrations; later features append theirs, never edit a
/// released one.
public enum LakehouseSchema {
    public static let migrator = Migrator(product: "runme", [v1, v2, v3])

    static let v1 = Migrator.Migration("v1_bronze_silver", sql: """
        CREATE TABLE loads (
            load_id INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            source TEXT NOT NULL,
            sha256 TEXT,
            bytes INTEGER,
            format TEXT,
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_loaded INTEGER NOT NULL DEFAULT 0,
            rows_quarantined INTEGER NOT NULL DEFAULT 0,
            lines_skipped INTEGER NOT NULL DEFAULT 0,  -- blank, header and comment lines, non-DNS events
            started REAL NOT NULL,
            ended REAL,
            job_run_id INTEGER
        );
        CREATE TABLE bronze_dns (
            rrname TEXT NOT NULL,
            rrtype TEXT NOT NULL,
            rdata TEXT NOT NULL,          -- JSON array of the answers
            rdatastr TEXT NOT NULL,       -- the answers joined with ','
            time_first INTEGER NOT NULL,
            time_last INTEGER NOT NULL,
            count INTEGER,
            bailiwick TEXT,
            load_id INTEGER NOT NULL,
            source_line INTEGER NOT NULL
        );
        CREATE TABLE bronze_dns_quarantine (
            load_id INTEGER NOT NULL,
            source TEXT NOT NULL,
            line INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raw TEXT NOT NULL
        );
        CREATE TABLE silver_dns (
            rrname TEXT NOT NULL,
            rrtype TEXT NOT NULL,
            rdatastr TEXT NOT NULL,
            time_first INTEGER NOT NULL,
            time_last INTEGER NOT NULL,
            count INTEGER,
            bailiwick TEXT,
            ip_address TEXT,              -- the first A (else AAAA) answer
            city TEXT,
            country TEXT,
            country_code TEXT,
            domain_name TEXT NOT NULL,    -- rrname lower-cased, without the trailing dot
            subdomain TEXT NOT NULL,
            domain TEXT NOT NULL,         -- the label left of the public suffix (tldextract's domain)
            suffix TEXT NOT NULL,
            registered_domain TEXT NOT NULL,
            load_id INTEGER NOT NULL
        );
        CREATE INDEX silver_dns_registered_domain ON silver_dns(registered_domain);
        CREATE TABLE silver_threat_feeds (
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            domain TEXT NOT NULL,
            registered_domain TEXT NOT NULL,
            threat TEXT,
            tags TEXT,
            url_status TEXT,
            dateadded TEXT,
            urlhaus_link TEXT,
            load_id INTEGER NOT NULL
        );
        CREATE INDEX silver_threat_feeds_registered_domain ON silver_threat_feeds(registered_domain);
        CREATE TABLE silver_twisted_domain_brand (
            fuzzer TEXT NOT NULL,
            domain TEXT NOT NULL,             -- the monitored brand
            dnstwisted_domain TEXT NOT NULL
        );
        CREATE INDEX silver_twisted_domain_brand_twisted ON silver_twisted_domain_brand(dnstwisted_domain);
        CREATE TABLE silver_dns_training_dataset (
            domain TEXT NOT NULL,
            class TEXT NOT NULL CHECK (class IN ('legit', 'ioc'))
        );
        """)

    /// Version 2: the scoring pipeline's tables (step 03) and their bookkeeping.
    ///
    /// Times that analysts filter on (`timestamp`, `event_time`) are UTC text in SQLite's
    /// own form, `YYYY-MM-DD HH:MM:SS.SSS`, so that `timestamp >= datetime('now', '-1 day')`
    /// compares correctly without conversion.
    static let v2 = Migrator.Migration("v2_scoring_pipeline", sql: """
        CREATE TABLE pipeline_updates (
            update_id INTEGER PRIMARY KEY AUTOINCREMENT,
            pipeline TEXT NOT NULL,
            state TEXT NOT NULL,              -- RUNNING, COMPLETED, FAILED, CANCELED
            started TEXT NOT NULL,
            ended TEXT,
            job_run_id INTEGER,
            model_uri TEXT,
            files INTEGER NOT NULL DEFAULT 0,
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_written INTEGER NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE pipeline_checkpoints (
            pipeline TEXT NOT NULL,
            source TEXT NOT NULL,             -- the file's path or s3:// URI
            size INTEGER NOT NULL,
            modified REAL,                    -- Unix seconds, for local files
            etag TEXT,                        -- for S3 objects
            rows INTEGER NOT NULL,
            update_id INTEGER NOT NULL,
            processed TEXT NOT NULL,
            PRIMARY KEY (pipeline, source)
        );
        CREATE TABLE pipeline_event_log (
            update_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            expectation TEXT NOT NULL,
            action TEXT NOT NULL,             -- expect, expect_or_drop, expect_or_fail, expect_or_quarantine
            passed INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            dropped INTEGER NOT NULL,
            timestamp TEXT NOT NULL
        );
        CREATE TABLE dns_log_analytics (
            domain TEXT NOT NULL,             -- the name as logged, e.g. 'ns1.asdklgb.cf.'
            domain_tldextract TEXT NOT NULL,  -- its registered domain, e.g. 'asdklgb.cf'
            class TEXT NOT NULL CHECK (class IN ('ioc', 'legit')),
            score REAL NOT NULL,              -- the model's probability of 'ioc'
            timestamp TEXT NOT NULL,          -- processing time (UTC)
            event_time TEXT,                  -- the record's own time (UTC)
            rrtype TEXT,
            rdata TEXT,                       -- the answers joined with ','
            ip_address TEXT,
            threat TEXT,                      -- URLhaus match on the registered domain
            tags TEXT,
            brand TEXT,                       -- typosquat match: the monitored brand
            fuzzer TEXT,
            city TEXT,
            country TEXT,
            country_code TEXT,
            model_uri TEXT NOT NULL,
            source TEXT NOT NULL,
            source_line INTEGER NOT NULL,
            update_id INTEGER NOT NULL
        );
        CREATE INDEX dns_log_analytics_time ON dns_log_analytics(timestamp);
        CREATE INDEX dns_log_analytics_registered ON dns_log_analytics(domain_tldextract);
        CREATE TABLE dns_log_analytics_quarantine (
            source TEXT NOT NULL,
            source_line INTEGER NOT NULL,
            expectation TEXT NOT NULL,
            raw TEXT NOT NULL,
            timestamp TEXT NOT NULL,
            update_id INTEGER NOT NULL
        );
        CREATE TABLE dns_ioc_latest (
            domain TEXT NOT NULL,
            domain_tldextract TEXT NOT NULL,
            class TEXT NOT NULL,
            score REAL NOT NULL,
            reason TEXT NOT NULL,             -- comma-joined: model, threat_feed, typosquat
            top_features TEXT NOT NULL,       -- JSON array of {"feature", "value", "contribution"}, strongest first
            threat TEXT,
            tags TEXT,
            brand TEXT,
            fuzzer TEXT,
            city TEXT,
            country TEXT,
            country_code TEXT,
            timestamp TEXT NOT NULL,
            event_time TEXT,
            model_uri TEXT NOT NULL,
            update_id INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX dns_ioc_latest_domain ON dns_ioc_latest(domain);  -- one row per domain: its latest detection
        CREATE INDEX dns_ioc_latest_time ON dns_ioc_latest(timestamp);
        """)

    /// Version 3: `dns_log_analytics` is indexed on `domain` (the name as logged) instead of
    /// `domain_tldextract`. Every documented lookup filters on the name (`WHERE domain =
    /// 'ns1.asdklgb.cf.'`, the accelerator's) and read the whole table; none filtered on the
    /// registered domain. One random-key index, not two: a second cost the update about a
    /// quarter of its CPU (RUNME.md § The scoring pipeline, "Indexes"). `IF EXISTS`/`IF NOT
    /// EXISTS`, so a store where a user made or dropped these indexes by hand still migrates.
    static let v3 = Migrator.Migration("v3_analytics_domain_index", sql: """
        DROP INDEX IF EXISTS dns_log_analytics_registered;
        CREATE INDEX IF NOT EXISTS dns_log_analytics_domain ON dns_log_analytics(domain);
        """)

    /// Opens (creating and migrating when needed) the results database of a store directory.
    public static func open(storeDirectory: URL) throws -> Database {
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        let path = storeDirectory.appendingPathComponent("lakehouse.db").path
        if FileManager.default.fileExists(atPath: path) {
            // Vetted read-only first: opening to write switches the journal mode, which would
            // modify a file written by a newer runme, or one that is not a lakehouse at all.
            try migrator.validate(try Database(path: path, mode: .readOnly))
        }
        // Large pages suit bulk-loaded, scanned tables: fewer page writes per row loaded and a
        // shorter checkpoint (measured a few percent faster loads than 4 KiB pages).
        let db = try Database(path: storeDirectory.appendingPathComponent("lakehouse.db").path, pageSize: 65_536)
        try migrator.migrate(db)
        return db
    }

    /// Opens the results database read-only (for queries, reports and alerts): a statement
    /// that writes fails. A store without one is `LakehouseError.noResultsDatabase`.
    public static func openReadOnly(storeDirectory: URL) throws -> Database {
        let path = storeDirectory.appendingPathComponent("lakehouse.db").path
        guard FileManager.default.fileExists(atPath: path) else { throw LakehouseError.noResultsDatabase(path: path) }
        return try Database(path: path, mode: .readOnly)
    }
}
