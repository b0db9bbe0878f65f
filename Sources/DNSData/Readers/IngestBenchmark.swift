import Foundation
import Glibc
import Lakehouse

/// The ingest benchmark behind `runme bench ingest`: COF JSON lines to committed
/// `bronze_dns` rows.
public enum IngestBenchmark {
    /// One measured figure.
    public struct Figure: Sendable, Equatable {
        /// What was measured.
        public var name: String
        public var value: Double
        /// `records/s`, `MB/s` or `s`.
        public var unit: String
    }

    /// What the product aims at, in records per second on one core (release build).
    public static let targetRecordsPerSecond = 500_000.0

    /// Generates `lines` COF lines in a fresh directory under `directory` (removed
    /// afterwards), loads them into a fresh lakehouse with ``BronzeLoader``, and reports:
    /// records/s and MB/s from the start of the load to its commit, and records per CPU
    /// second of the loading thread; the parse rate alone (no database); the WAL checkpoint
    /// that follows the commit; and the rate including it.
    ///
    /// Figures mean something only from a release build.
    public static func run(in directory: URL, lines: Int = 1_000_000, progress: (String) -> Void) throws -> [Figure] {
        let workspace = directory.appendingPathComponent("runme-ingest-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        let file = workspace.appendingPathComponent("dns_bench.json")
        progress("generating \(lines) COF lines")
        let bytes = try generate(lines: max(lines, 1), to: file)
        progress(String(format: "generated %.1f MB", Double(bytes) / 1e6))

        progress("parsing without a database")
        let parseClock = ContinuousClock.now
        let parsed = try parseOnly(file)
        let parseSeconds = seconds(ContinuousClock.now - parseClock)

        progress("loading into bronze_dns")
        let database = try LakehouseSchema.open(storeDirectory: workspace.appendingPathComponent("store", isDirectory: true))
        var options = BronzeLoader.Options()
        options.checkpointAfterLoad = false
        let cpuStart = threadCPUSeconds()
        let summary = try BronzeLoader(database: database, options: options).load(fileAt: file, format: .cof, source: "bench")
        let loadCPUSeconds = threadCPUSeconds() - cpuStart
        // The checkpoint the loader runs after its commit, timed on its own.
        let checkpointClock = ContinuousClock.now
        _ = try database.query("PRAGMA wal_checkpoint(PASSIVE)")
        let checkpointSeconds = seconds(ContinuousClock.now - checkpointClock)
        let stored = try database.scalar("SELECT count(*) FROM bronze_dns WHERE load_id = ?", [summary.loadID])?.int64Value ?? -1
        guard summary.rowsLoaded == lines, stored == Int64(lines), parsed == lines else {
            throw BenchmarkError(message: "the benchmark loaded \(summary.rowsLoaded) rows (\(stored) in the table, \(parsed) parsed) of \(lines) lines; \(summary.rowsQuarantined) quarantined")
        }
        let loadSeconds = summary.seconds
        progress(String(format: "loaded %d rows in %.2f s (%.2f s of CPU); checkpoint %.2f s", summary.rowsLoaded, loadSeconds, loadCPUSeconds, checkpointSeconds))
        return [
            Figure(name: "COF lines to committed bronze_dns rows", value: Double(lines) / loadSeconds, unit: "records/s"),
            Figure(name: "COF lines to committed bronze_dns rows", value: Double(bytes) / 1e6 / loadSeconds, unit: "MB/s"),
            // On a shared machine the wall clock counts time spent waiting for a core.
            Figure(name: "same, per CPU second of the loading thread", value: Double(lines) / loadCPUSeconds, unit: "records/s"),
            Figure(name: "parse only (no database)", value: Double(lines) / parseSeconds, unit: "records/s"),
            Figure(name: "WAL checkpoint after the commit", value: checkpointSeconds, unit: "s"),
            Figure(name: "load including the checkpoint", value: Double(lines) / (loadSeconds + checkpointSeconds), unit: "records/s"),
        ]
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Writes the sample file; returns its size in bytes.
    static func generate(lines: Int, to file: URL) throws -> Int64 {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw DNSLogError.unreadable(path: file.path, reason: "cannot create the benchmark file")
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var generator = COFSampleGenerator()
        var chunk = ByteBuffer(capacity: 1 << 20)
        var total: Int64 = 0
        for _ in 0..<lines {
            generator.appendLine(to: &chunk)
            if chunk.count >= 1 << 20 {
                try handle.write(contentsOf: Data(chunk.bytes(at: 0, length: chunk.count)))
                total += Int64(chunk.count)
                chunk.removeAll()
            }
        }
        try handle.write(contentsOf: Data(chunk.bytes(at: 0, length: chunk.count)))
        total += Int64(chunk.count)
        return total
    }

    /// Scans and parses the file into the arena, discarding the records: the reading
    /// side of the load on its own.
    static func parseOnly(_ file: URL) throws -> Int {
        var driver = LineDriver(scanner: try LineScanner(path: file.path), source: "bench")
        var parser = COFReader()
        var arena = RecordArena(batchRows: 128)
        var records = 0
        while let step = try driver.next(&parser, arena: &arena) {
            if case .record = step {
                records += 1
                if arena.rows.count == 128 { arena.removeAll() }
            }
        }
        return records
    }

    /// CPU time (user and system) of the calling thread.
    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func seconds(_ duration: Duration) -> Double {
        duration / .seconds(1)
    }
}
