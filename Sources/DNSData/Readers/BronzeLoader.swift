import Foundation
import Lakehouse

/// Loads DNS log files into the lakehouse's `bronze_dns` table.
///
/// One file is one load, in one transaction: its rows in `bronze_dns` (`rdata` as a JSON
/// array text, `rdatastr` the answers joined with ','), its bad lines in
/// `bronze_dns_quarantine` (source, line number, reason, raw text cut to
/// ``QuarantinedLine/maxRawBytes``), and its `loads` row with the counts, all committed
/// together or not at all. Nothing is dropped silently: rows read = loaded + quarantined,
/// and lines that are not records by design are counted in `loads.lines_skipped`.
///
/// The mapping of each format is documented on ``DNSLogFormat``'s cases. Counts beyond
/// Int64 are clamped to `Int64.max`.
///
/// Speed: lines are parsed from raw bytes into a batch arena and inserted
/// ``Options/batchRows`` rows per statement, their text bound where the arena holds it
/// (SQLite does not copy it again). The transaction is durable when it returns (WAL, `synchronous=NORMAL`, the
/// connection's setting). Automatic checkpoints are held off during the load, so that
/// copying the log into the database does not happen inside the commit, and run once
/// after it (``Options/checkpointAfterLoad``).
public struct BronzeLoader: Sendable {
    /// Tuning and limits.
    public struct Options: Sendable {
        /// Lines longer than this are quarantined without being held whole.
        public var maxLineBytes = DNSLogReader.defaultMaxLineBytes
        /// Rows per INSERT statement. Multi-row statements cut SQLite's per-statement
        /// overhead: 64 rows a statement measured 1.6 times the rate of one.
        public var batchRows = 128
        /// Lines between checks for cancellation (and progress reports).
        public var checkInterval = 10_000
        /// Run a passive WAL checkpoint after the commit, so that the log this load grew is
        /// copied into the database now rather than by whichever write comes next.
        public var checkpointAfterLoad = true
        /// SQLite page cache during the load, in KiB (restored afterwards).
        public var cacheKiB = 65_536

        /// The defaults.
        public init() {}
    }

    /// The lakehouse connection loaded into (see `LakehouseSchema.open(storeDirectory:)`).
    public let database: Database
    /// Tuning and limits for the loads this loader runs.
    public var options: Options

    /// A loader for `database`, which must hold the lakehouse schema.
    public init(database: Database, options: Options = Options()) {
        self.database = database
        self.options = options
    }

    /// Loads one file.
    ///
    /// Called inside a transaction that is already open on the connection, the load
    /// becomes a savepoint of it and commits with it.
    ///
    /// - Parameters:
    ///   - url: the file, plain text (compressed files are refused).
    ///   - format: its format, or nil to detect it from the content.
    ///   - source: the name recorded in `loads.source` and the quarantine (the path unless given).
    ///   - sha256: the file's SHA-256, when the caller knows it (a download records it).
    ///   - jobRunID: the job run that loads it, for `loads.job_run_id`.
    ///   - progress: called every ``Options/checkInterval`` lines.
    /// - Throws: ``DNSLogError`` when the file cannot be read as a DNS log,
    ///   `CancellationError` when the task is cancelled (checked every
    ///   ``Options/checkInterval`` lines), or a SQLite error; the transaction then rolls
    ///   back and leaves no row anywhere.
    public func load(
        fileAt url: URL,
        format: DNSLogFormat? = nil,
        source: String? = nil,
        sha256: String? = nil,
        jobRunID: Int64? = nil,
        progress: ((BronzeLoadProgress) -> Void)? = nil
    ) throws -> BronzeLoadSummary {
        let reader = try DNSLogReader(fileAt: url, format: format, source: source, maxLineBytes: options.maxLineBytes)
        let started = Date()
        let settings = try SessionSettings(database, cacheKiB: options.cacheKiB)
        defer { settings.restore(database) }

        var run = LoadRun(database: database, reader: reader, options: options, progress: progress)
        let counts = try database.transaction(.immediate) { () throws -> DNSLogReadCounts in
            let loadID = try run.insertLoadRow(sha256: sha256, jobRunID: jobRunID, started: started)
            let counts = try run.loadLines()
            try run.finishLoadRow(loadID: loadID, counts: counts)
            return counts
        }
        let committed = Date()
        var checkpointSeconds = 0.0
        if options.checkpointAfterLoad {
            // Passive: copies what it can without waiting for readers; never fails the load.
            let clock = ContinuousClock.now
            _ = try? database.query("PRAGMA wal_checkpoint(PASSIVE)")
            let elapsed = ContinuousClock.now - clock
            checkpointSeconds = elapsed / .seconds(1)
        }
        return BronzeLoadSummary(
            loadID: run.loadID, source: reader.source, format: reader.format, bytes: counts.bytes, sha256: sha256,
            linesRead: counts.linesRead, linesSkipped: counts.linesSkipped, rowsRead: counts.recordsRead,
            rowsLoaded: counts.records, rowsQuarantined: counts.quarantined,
            started: started, committed: committed, checkpointSeconds: checkpointSeconds
        )
    }
}

/// Connection settings changed for a load, and put back after it.
private struct SessionSettings {
    let autocheckpoint: Int64
    let cacheSize: Int64

    init(_ database: Database, cacheKiB: Int) throws {
        autocheckpoint = try database.scalar("PRAGMA wal_autocheckpoint")?.int64Value ?? 1000
        cacheSize = try database.scalar("PRAGMA cache_size")?.int64Value ?? -2000
        // Negative: a size in KiB rather than pages.
        try database.execute("PRAGMA cache_size=\(-max(cacheKiB, 1024))")
        _ = try database.scalar("PRAGMA wal_autocheckpoint=0")
    }

    func restore(_ database: Database) {
        try? database.execute("PRAGMA cache_size=\(cacheSize)")
        _ = try? database.scalar("PRAGMA wal_autocheckpoint=\(autocheckpoint)")
    }
}

/// The work of one load inside its transaction.
private struct LoadRun {
    let database: Database
    let reader: DNSLogReader
    let options: BronzeLoader.Options
    let progress: ((BronzeLoadProgress) -> Void)?
    private(set) var loadID: Int64 = 0

    init(database: Database, reader: DNSLogReader, options: BronzeLoader.Options, progress: ((BronzeLoadProgress) -> Void)?) {
        self.database = database
        self.reader = reader
        self.options = options
        self.progress = progress
    }

    static let columns = "rrname, rrtype, rdata, rdatastr, time_first, time_last, count, bailiwick, source_line, load_id"
    /// Parameters per row; the load id, the same for every row, is written into the SQL.
    static let columnCount: Int32 = 9

    mutating func insertLoadRow(sha256: String?, jobRunID: Int64?, started: Date) throws -> Int64 {
        try database.execute(
            "INSERT INTO loads (table_name, source, sha256, format, started, job_run_id) VALUES ('bronze_dns', ?, ?, ?, ?, ?)",
            [reader.source, sha256, reader.format.rawValue, started.timeIntervalSince1970, jobRunID]
        )
        loadID = database.lastInsertRowID
        return loadID
    }

    func finishLoadRow(loadID: Int64, counts: DNSLogReadCounts) throws {
        try database.execute(
            "UPDATE loads SET bytes = ?, rows_read = ?, rows_loaded = ?, rows_quarantined = ?, lines_skipped = ?, ended = ? WHERE load_id = ?",
            [counts.bytes, counts.recordsRead, counts.records, counts.quarantined, counts.linesSkipped, Date().timeIntervalSince1970, loadID]
        )
    }

    func loadLines() throws -> DNSLogReadCounts {
        switch reader.format {
        case .cof:
            var parser = COFReader()
            return try loadLines(&parser)
        case .zeek:
            var parser = ZeekReader()
            return try loadLines(&parser)
        case .zeekJSON:
            var parser = ZeekJSONReader()
            return try loadLines(&parser)
        case .suricata:
            var parser = SuricataReader()
            return try loadLines(&parser)
        case .csv:
            var parser = DomainCSVReader()
            return try loadLines(&parser)
        }
    }

    private func loadLines<Parser: DNSLineParser>(_ parser: inout Parser) throws -> DNSLogReadCounts {
        let batchRows = max(1, min(options.batchRows, 1000))
        let values = "(" + Array(repeating: "?", count: Int(Self.columnCount)).joined(separator: ",") + ",\(loadID))"
        // Prepared per load (the load id is in the text), not cached: a cache would keep one
        // statement per load ever made on the connection.
        let batchInsert = try database.prepare(
            "INSERT INTO bronze_dns (\(Self.columns)) VALUES " + Array(repeating: values, count: batchRows).joined(separator: ",")
        )
        let singleInsert = try database.prepare("INSERT INTO bronze_dns (\(Self.columns)) VALUES \(values)")
        let quarantineInsert = try database.cachedStatement(
            "INSERT INTO bronze_dns_quarantine (load_id, source, line, reason, raw) VALUES (?, ?, ?, ?, ?)"
        )
        var arena = RecordArena(batchRows: batchRows)
        // The statements hold pointers into the arena: let go of them before it is freed.
        defer {
            batchInsert.clearBindings()
            singleInsert.clearBindings()
        }

        var driver = LineDriver(scanner: try LineScanner(path: reader.url.path, maxLineBytes: options.maxLineBytes), source: reader.source)
        let interval = max(options.checkInterval, 1)
        var nextCheck = interval
        var loaded = 0
        while true {
            let step: LineDriver.Step?
            do {
                step = try driver.next(&parser, arena: &arena)
            } catch let error as LayoutError {
                throw DNSLogError.wrongLayout(path: reader.url.path, format: reader.format, reason: error.reason)
            }
            guard let step else { break }
            switch step {
            case .record:
                if arena.rows.count == batchRows {
                    try insert(arena, rows: 0..<batchRows, with: batchInsert)
                    loaded += batchRows
                    arena.removeAll()
                }
            case .quarantined(let line):
                try quarantineInsert.bind([loadID, line.source, line.line, line.reason, line.raw])
                try quarantineInsert.run()
            }
            if driver.lineNumber >= nextCheck {
                nextCheck = driver.lineNumber + interval
                if Task.isCancelled { throw CancellationError() }
                progress?(BronzeLoadProgress(linesRead: driver.lineNumber, bytesRead: driver.counts.bytes,
                                             rowsLoaded: loaded + arena.rows.count, rowsQuarantined: driver.counts.quarantined))
            }
        }
        for row in 0..<arena.rows.count {
            try insert(arena, rows: row..<(row + 1), with: singleInsert)
        }
        return driver.counts
    }

    /// Binds the arena's rows to a statement with one parameter group per row, and runs it.
    @inline(__always)
    private func insert(_ arena: borrowing RecordArena, rows: Range<Int>, with statement: Statement) throws {
        var index: Int32 = 1
        for r in rows {
            let row = arena.rows[r]
            try statement.bind(unownedUTF8: arena.bytes(row.rrname), at: index)
            try statement.bind(unownedUTF8: arena.bytes(row.rrtype), at: index + 1)
            try statement.bind(unownedUTF8: arena.bytes(row.rdataJSON), at: index + 2)
            try statement.bind(unownedUTF8: arena.bytes(row.rdatastr), at: index + 3)
            try statement.bind(int: row.timeFirst, at: index + 4)
            try statement.bind(int: row.timeLast, at: index + 5)
            if row.hasCount {
                try statement.bind(int: row.count, at: index + 6)
            } else {
                try statement.bindNull(at: index + 6)
            }
            if row.bailiwick.isPresent {
                try statement.bind(unownedUTF8: arena.bytes(row.bailiwick), at: index + 7)
            } else {
                try statement.bindNull(at: index + 7)
            }
            try statement.bind(int: Int64(row.line), at: index + 8)
            index += Self.columnCount
        }
        try statement.run()
    }
}
