import Foundation

/// The results ("lakehouse") database of a store: the tables the job's steps write and that
/// analysts query, with the accelerator's names so that its SQL reads the same here.
///
/// One ordered list of named migrations; later features append theirs, never edit a
/// released one.
public enum LakehouseSchema {
    public static let migrator = Migrator(product: "runme", [v1])

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
    /// that writes fails.
    public static func openReadOnly(storeDirectory: URL) throws -> Database {
        try Database(path: storeDirectory.appendingPathComponent("lakehouse.db").path, mode: .readOnly)
    }
}
