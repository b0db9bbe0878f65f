import Foundation
import Lakehouse

/// Writes `silver_threat_feeds` from a URLhaus dump: each URL with its host, the host's
/// registered domain and domain label, and the feed's threat, tags and status.
public struct ThreatFeedTable {
    public struct Summary: Sendable, Equatable {
        public var rows: Int
        public var rejected: [QuarantinedLine]
        /// Distinct registered domains (IP hosts excluded).
        public var domains: Int
    }

    public let database: Database
    public let suffixes: PublicSuffixList

    public init(database: Database, suffixes: PublicSuffixList) {
        self.database = database
        self.suffixes = suffixes
    }

    /// Replaces the table's rows with the feed's, in one transaction; rejected rows are
    /// returned (with line and reason) for the caller to log.
    ///
    /// The load is recorded in `loads` (source, sha256, size, rows, rejected rows), and every
    /// row points at it, as `bronze_dns` rows do.
    public func replace(with data: Data, source: String, sha256: String? = nil, jobRunID: Int64? = nil) throws -> Summary {
        let started = Date().timeIntervalSince1970
        let (entries, rejected) = try URLhausFeed.parse(data, source: source)
        var domains: Set<String> = []
        try database.transaction(.immediate) {
            try database.execute("DELETE FROM silver_threat_feeds")
            try database.execute("""
                INSERT INTO loads(table_name, source, sha256, bytes, format, rows_read, rows_loaded, rows_quarantined, started, ended, job_run_id)
                VALUES ('silver_threat_feeds', ?, ?, ?, 'urlhaus-csv', ?, ?, ?, ?, ?, ?)
                """, [source, sha256, data.count, entries.count + rejected.count, entries.count, rejected.count,
                      started, Date().timeIntervalSince1970, jobRunID])
            let loadID = database.lastInsertRowID
            let insert = try database.prepare("""
                INSERT INTO silver_threat_feeds(url, host, domain, registered_domain, threat, tags, url_status, dateadded, urlhaus_link, load_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for entry in entries {
                let host = SilverDNSBuilder.domainName(entry.host)
                let parts = suffixes.extract(host)
                let registered = parts.isIPAddress ? host : parts.registeredDomain.lowercased()
                if !parts.isIPAddress && !registered.isEmpty { domains.insert(registered) }
                try insert.bind([entry.url, host, parts.domain.lowercased(), registered, entry.threat, entry.tags,
                                 entry.urlStatus, entry.dateadded, entry.urlhausLink, loadID])
                try insert.run()
            }
        }
        return Summary(rows: entries.count, rejected: rejected, domains: domains.count)
    }
}
