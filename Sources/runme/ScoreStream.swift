import DGAModel
import DNSData
import Foundation
import Pipeline
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// `runme score --stdin`: DNS log records in, one JSON line per record out, in input order, in
/// batches, with constant memory (the line scanner's buffer, a few batches and two bounded
/// caches).
///
/// Two threads share the work: the calling thread reads, parses and cuts names at their
/// public suffix; a second one scores and writes. Logs repeat names heavily, so the cut of
/// each name and the scored output of each label are cached (scoring is deterministic per
/// label: a cached line is the line scoring again would write).
struct ScoreStream {
    let bundle: ModelBundle
    let suffixes: PublicSuffixList
    let format: DNSLogFormat
    /// Path attributions instead of exact SHAP for the top features.
    let approximate: Bool
    /// Where the JSON lines go.
    var output: Int32 = 1
    /// The descriptor polled for a pause in the input (a batch is written as soon as the input
    /// pauses); nil for a regular file, which never pauses.
    var pauseSignal: Int32? = 0

    /// Records per batch: four chunks of the compiled scorer, so every core gets work.
    static let batchSize = 8192
    /// Batches read ahead of the one being scored.
    static let readAhead = 2
    /// Entries per generation of each cache (two generations: at most twice this many).
    static let cacheGeneration = 131_072

    /// The log format a `--format` value names (`names` reads as `csv`: a one-column list).
    static func logFormat(_ name: String) -> DNSLogFormat? {
        name.lowercased() == "names" ? .csv : DNSLogFormat(name: name)
    }

    /// One input record (or bad line) waiting for its batch to be scored.
    struct Pending: Sendable {
        var line: Int
        var name: String?
        var rrtype: String?
        var timeFirst: Int64 = 0
        var timeLast: Int64 = 0
        var domain: String?
        var registeredDomain: String?
        var error: String?
        var raw: String?
    }

    /// What a run read and scored.
    struct Counts {
        /// Records and bad lines written.
        var lines = 0
        /// Labels the model scored (the others came from the cache).
        var labelsScored = 0
    }

    private struct StopReading: Error {}

    /// Reads `path` (a pipe, or a file) to its end, writing a JSON line per record.
    @discardableResult
    func run(path: String) throws -> Counts {
        let reader = DNSLogReader(streamAt: path, format: format, source: "stdin")
        let channel = BatchChannel<[Pending]>(capacity: Self.readAhead)
        let writer = StreamWriter(bundle: bundle, approximate: approximate, output: output)
        let worker = BackgroundWork(name: "runme-score-writer") {
            do {
                while let batch = try channel.receive() { try writer.write(batch) }
            } catch {
                writer.failure = error
                channel.cancel()
            }
        }
        var names = BoundedCache<String, Result<DomainLabel.Extracted, DomainLabel.Failure>>(generation: Self.cacheGeneration)
        var pending: [Pending] = []
        pending.reserveCapacity(Self.batchSize)
        var readError: (any Error)?
        do {
            try reader.forEach { entry in
                switch entry {
                case let .record(record, line):
                    var item = Pending(line: line, name: record.rrname, rrtype: record.rrtype,
                                       timeFirst: record.timeFirst, timeLast: record.timeLast)
                    let extracted = names.value(for: record.rrname) { DomainLabel.extractParts($0, with: suffixes) }
                    switch extracted {
                    case let .success(parts):
                        item.domain = parts.label
                        item.registeredDomain = parts.registeredDomain
                    case let .failure(failure): item.error = failure.message
                    }
                    pending.append(item)
                case let .quarantined(bad):
                    pending.append(Pending(line: bad.line, error: bad.reason, raw: bad.raw))
                }
                if pending.count >= Self.batchSize || inputPaused() {
                    guard channel.send(pending) else { throw StopReading() }
                    pending.removeAll(keepingCapacity: true)
                }
            }
        } catch is StopReading {
        } catch {
            readError = error
        }
        if !pending.isEmpty { channel.send(pending) }
        channel.close()
        worker.wait()
        if let failure = writer.failure { throw failure }
        if let error = readError as? DNSLogError {
            throw RunmeError(message: "standard input is not \(format) as --format says: \(error)")
        }
        if let readError { throw readError }
        return writer.counts
    }

    /// Whether the input has no bytes waiting: the batch so far is then written rather than
    /// held until more input comes.
    private func inputPaused() -> Bool {
        guard let pauseSignal else { return false }
        var descriptor = pollfd(fd: pauseSignal, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) <= 0
    }

    /// Measures the stream on `lines` generated COF lines (the scoring pipeline's benchmark
    /// file) written to a file in `directory`, output to /dev/null. Returns the wall-clock and
    /// CPU seconds of the run and what it read.
    static func benchmark(bundle: ModelBundle, suffixes: PublicSuffixList, lines: Int, approximate: Bool,
                          in directory: URL) throws -> (seconds: Double, cpuSeconds: Double, counts: Counts) {
        let workspace = directory.appendingPathComponent("runme-stdin-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let file = workspace.appendingPathComponent("dns_bench.json")
        try COFSample.write(lines: lines, to: file)
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard null >= 0 else { throw RunmeError(message: "cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(null) }
        var stream = ScoreStream(bundle: bundle, suffixes: suffixes, format: .cof, approximate: approximate)
        stream.output = null
        stream.pauseSignal = nil
        let clock = ContinuousClock.now
        let cpu = PipelineBenchmark.processCPUSeconds()
        let counts = try stream.run(path: file.path)
        let elapsed = ContinuousClock.now - clock
        let seconds = elapsed / .seconds(1)
        return (seconds, PipelineBenchmark.processCPUSeconds() - cpu, counts)
    }
}

/// The scoring and writing side of ``ScoreStream``: used by its one writer thread only.
private final class StreamWriter: @unchecked Sendable {
    let bundle: ModelBundle
    let approximate: Bool
    let output: Int32
    var failure: (any Error)?
    var counts = ScoreStream.Counts()
    /// Label → the end of its output line, from `,"class"` to the newline.
    private var scored = BoundedCache<String, [UInt8]>(generation: ScoreStream.cacheGeneration)
    private var out = OutputBuffer()

    init(bundle: ModelBundle, approximate: Bool, output: Int32) {
        self.bundle = bundle
        self.approximate = approximate
        self.output = output
    }

    /// Scores the batch's labels not in the cache, and writes its lines in order.
    func write(_ batch: [ScoreStream.Pending]) throws {
        var missing: [String] = []
        var seen = Set<String>()
        for item in batch where item.error == nil {
            if let label = item.domain, !scored.touch(label), seen.insert(label).inserted { missing.append(label) }
        }
        if !missing.isEmpty {
            let scores = try approximate ? bundle.scoreApproximatingContributions(labels: missing) : bundle.score(labels: missing)
            for (label, score) in zip(missing, scores) { scored.insert(Self.render(score), for: label) }
            counts.labelsScored += missing.count
        }
        for item in batch {
            out.append("{\"line\":\(item.line)")
            if let name = item.name { out.appendField("name", name) }
            if let error = item.error {
                out.appendField("error", error)
                if let raw = item.raw { out.appendField("raw", raw) }
                out.append("}\n")
                continue
            }
            guard let label = item.domain else { continue }
            if let rrtype = item.rrtype, !rrtype.isEmpty { out.appendField("rrtype", rrtype) }
            out.append(",\"time_first\":")
            out.append(item.timeFirst)
            out.append(",\"time_last\":")
            out.append(item.timeLast)
            out.appendField("domain", label)
            out.appendField("registered_domain", item.registeredDomain ?? "")
            // Every label of the batch is cached now: touched or inserted above, and a batch
            // (8,192) is smaller than a generation, so at most one turnover happened since.
            out.append(bytes: scored.peek(label) ?? [])
        }
        counts.lines += batch.count
        out.flush(to: output)
    }

    /// `,"class":…,"score":…,"top_features":[…]}` and the newline.
    static func render(_ score: DomainScore) -> [UInt8] {
        var out = OutputBuffer(capacity: 256)
        out.appendField("class", score.predictedClass)
        out.append(",\"score\":\(score.probability),\"top_features\":[")
        for (position, feature) in score.topFeatures.enumerated() {
            if position > 0 { out.append(",") }
            out.append("{")
            out.appendString("feature", feature.feature)
            out.append(",\"contribution\":\(Float(feature.contribution))}")
        }
        out.append("]}\n")
        return out.bytes
    }
}

/// A cache of at most two generations of `generation` entries: when the newer one fills, the
/// older is dropped and the newer takes its place, so recently used keys stay (a hit in the
/// older generation moves the entry to the newer) and memory stays bounded.
struct BoundedCache<Key: Hashable, Value> {
    private var newer: [Key: Value] = [:]
    private var older: [Key: Value] = [:]
    let generation: Int

    init(generation: Int) { self.generation = max(1, generation) }

    /// The cached value, without moving it.
    func peek(_ key: Key) -> Value? { newer[key] ?? older[key] }

    /// Whether the key is cached; a hit in the older generation moves to the newer.
    mutating func touch(_ key: Key) -> Bool {
        if newer[key] != nil { return true }
        guard let value = older[key] else { return false }
        insert(value, for: key)
        return true
    }

    /// The cached value, or `make`'s (then cached).
    mutating func value(for key: Key, _ make: (Key) -> Value) -> Value {
        if let value = newer[key] { return value }
        let value = older[key] ?? make(key)
        insert(value, for: key)
        return value
    }

    mutating func insert(_ value: Value, for key: Key) {
        if newer.count >= generation {
            older = newer
            newer = Dictionary(minimumCapacity: generation)
        }
        newer[key] = value
    }
}

/// JSON text built in one byte buffer and written with `write(2)`.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(bytes more: [UInt8]) { bytes.append(contentsOf: more) }

    /// A decimal integer, without building a String.
    mutating func append(_ value: Int64) {
        if value < 0 {
            guard value != .min else { return append(String(value)) }
            bytes.append(UInt8(ascii: "-"))
            return append(-value)
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// `,"key":"value"` with the value escaped.
    mutating func appendField(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: ","))
        appendString(key, value)
    }

    /// JSON-escapes one byte of a string value.
    private static let needsEscape: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    /// `"key":"value"` with the value escaped.
    mutating func appendString(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key.utf8)
        bytes.append(contentsOf: "\":\"".utf8)
        var value = value
        let plain = value.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { Self.needsEscape[Int($0)] }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain { bytes.append(contentsOf: JSONStringLiteral.escaped(value).utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes everything buffered to `descriptor` (all of it, across partial writes).
    mutating func flush(to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let written = write(descriptor, pointer, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                pointer += written
                left -= written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
