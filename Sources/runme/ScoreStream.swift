import DGAModel
import DNSData
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `runme score --stdin`: DNS log records in, one JSON line per record out, in input order, in
/// batches, with constant memory (the line scanner's buffer and one batch).
struct ScoreStream {
    let bundle: ModelBundle
    let suffixes: PublicSuffixList
    let format: DNSLogFormat
    /// Path attributions instead of exact SHAP for the top features.
    let approximate: Bool

    /// Records per batch: four chunks of the compiled scorer, so every core gets work.
    static let batchSize = 8192

    /// The log format a `--format` value names (`names` reads as `csv`: a one-column list).
    static func logFormat(_ name: String) -> DNSLogFormat? {
        name.lowercased() == "names" ? .csv : DNSLogFormat(name: name)
    }

    /// One input record (or bad line) waiting for its batch to be scored.
    private struct Pending {
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

    /// Reads `path` (a pipe) to its end, writing a JSON line per record to standard output.
    func run(path: String) throws {
        let reader = DNSLogReader(streamAt: path, format: format, source: "stdin")
        var pending: [Pending] = []
        pending.reserveCapacity(Self.batchSize)
        var out = OutputBuffer()
        do {
            try reader.forEach { entry in
                switch entry {
                case let .record(record, line):
                    var item = Pending(line: line, name: record.rrname, rrtype: record.rrtype,
                                       timeFirst: record.timeFirst, timeLast: record.timeLast)
                    switch DomainLabel.extractParts(record.rrname, with: suffixes) {
                    case let .success(parts):
                        item.domain = parts.label
                        item.registeredDomain = parts.registeredDomain
                    case let .failure(failure): item.error = failure.message
                    }
                    pending.append(item)
                case let .quarantined(bad):
                    pending.append(Pending(line: bad.line, error: bad.reason, raw: bad.raw))
                }
                if pending.count >= Self.batchSize || !Self.inputIsReady() {
                    try flush(&pending, &out)
                }
            }
        } catch let error as DNSLogError {
            try flush(&pending, &out)
            throw RunmeError(message: "standard input is not \(format) as --format says: \(error)")
        }
        try flush(&pending, &out)
    }

    /// Scores the pending records and writes their lines, in order.
    private func flush(_ pending: inout [Pending], _ out: inout OutputBuffer) throws {
        guard !pending.isEmpty else { return }
        let scorable = pending.indices.filter { pending[$0].domain != nil }
        let labels = scorable.map { pending[$0].domain ?? "" }
        let scores = try approximate ? bundle.scoreApproximatingContributions(labels: labels) : bundle.score(labels: labels)
        var next = 0
        for (index, item) in pending.enumerated() {
            out.append("{\"line\":\(item.line)")
            if let name = item.name { out.appendField("name", name) }
            if let error = item.error {
                out.appendField("error", error)
                if let raw = item.raw { out.appendField("raw", raw) }
                out.append("}\n")
                continue
            }
            guard next < scorable.count, scorable[next] == index else { continue }
            let score = scores[next]
            next += 1
            if let rrtype = item.rrtype, !rrtype.isEmpty { out.appendField("rrtype", rrtype) }
            out.append(",\"time_first\":\(item.timeFirst),\"time_last\":\(item.timeLast)")
            out.appendField("domain", item.domain ?? "")
            out.appendField("registered_domain", item.registeredDomain ?? "")
            out.appendField("class", score.predictedClass)
            out.append(",\"score\":\(score.probability),\"top_features\":[")
            for (position, feature) in score.topFeatures.enumerated() {
                if position > 0 { out.append(",") }
                out.append("{")
                out.appendString("feature", feature.feature)
                out.append(",\"contribution\":\(Float(feature.contribution))}")
            }
            out.append("]}\n")
        }
        pending.removeAll(keepingCapacity: true)
        out.flush()
    }

    /// Whether standard input has bytes waiting: when it has not, the batch so far is written
    /// rather than held until more input comes.
    private static func inputIsReady() -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}

/// JSON text built in one byte buffer and written to standard output with `write(2)`.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 20) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `,"key":"value"` with the value escaped.
    mutating func appendField(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: ","))
        appendString(key, value)
    }

    /// `"key":"value"` with the value escaped.
    mutating func appendString(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key.utf8)
        bytes.append(contentsOf: "\":\"".utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case 0x0A: bytes.append(contentsOf: "\\n".utf8)
            case 0x0D: bytes.append(contentsOf: "\\r".utf8)
            case 0x09: bytes.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes everything buffered to standard output (all of it, across partial writes).
    mutating func flush() {
        bytes.withUnsafeBytes { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let written = write(1, pointer, left)
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
