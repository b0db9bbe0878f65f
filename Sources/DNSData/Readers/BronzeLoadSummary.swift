import Foundation

/// What one ``BronzeLoader`` load did, as recorded in its `loads` row.
public struct BronzeLoadSummary: Sendable, Equatable {
    /// The `loads.load_id` of the load; `bronze_dns.load_id` of its rows.
    public var loadID: Int64
    /// The name recorded in `loads.source` (the path unless given).
    public var source: String
    /// The format read, given or detected.
    public var format: DNSLogFormat
    /// Bytes of the file read.
    public var bytes: Int64
    /// The SHA-256 recorded, when the caller gave one.
    public var sha256: String?
    /// Lines in the file, including blank, header and comment lines.
    public var linesRead: Int
    /// Lines that are not records by design (blank, headers, comments, non-DNS events).
    public var linesSkipped: Int
    /// Records read: ``rowsLoaded`` + ``rowsQuarantined``.
    public var rowsRead: Int
    /// Rows added to `bronze_dns`.
    public var rowsLoaded: Int
    /// Rows added to `bronze_dns_quarantine`.
    public var rowsQuarantined: Int
    /// When the load began.
    public var started: Date
    /// When its transaction committed.
    public var committed: Date
    /// Seconds spent copying the write-ahead log into the database after the commit (0
    /// when not asked for).
    public var checkpointSeconds: Double

    /// Seconds from the start to the commit.
    public var seconds: Double { committed.timeIntervalSince(started) }
}

/// Where a running load is, reported every ``BronzeLoader/Options/checkInterval`` lines.
public struct BronzeLoadProgress: Sendable, Equatable {
    /// Lines read so far.
    public var linesRead: Int
    /// Bytes read so far (whole blocks, so ahead of the lines).
    public var bytesRead: Int64
    /// Records parsed so far, inserted or waiting in the current batch.
    public var rowsLoaded: Int
    /// Lines quarantined so far.
    public var rowsQuarantined: Int
}
