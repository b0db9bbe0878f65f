import Foundation

/// One line of a DNS log as read: a record, or a quarantined line.
public enum DNSLogEntry: Sendable, Equatable {
    /// A record and its 1-based line number.
    case record(DNSRecord, line: Int)
    /// A line that could not be a record, with why.
    case quarantined(QuarantinedLine)
}

/// Everything read from a DNS log.
public struct DNSLogContents: Sendable, Equatable {
    /// The records, in line order.
    public var records: [DNSRecord] = []
    /// The line number of each record, index for index.
    public var recordLines: [Int] = []
    /// The bad lines, in line order.
    public var quarantined: [QuarantinedLine] = []
    /// What the read went through.
    public var counts = DNSLogReadCounts()
}

/// Reads a DNS log file into ``DNSRecord`` values, for code that wants records rather
/// than rows (``BronzeLoader`` loads files into the lakehouse without making them).
///
/// The format is the one given or detected from the content (``FormatDetection``); the
/// readers' mappings are documented on ``DNSLogFormat``'s cases. Bad lines come out as
/// ``DNSLogEntry/quarantined(_:)``, never silently dropped.
public struct DNSLogReader: Sendable {
    /// The longest line read by default; longer lines are quarantined.
    public static let defaultMaxLineBytes = 1 << 20

    /// The file read.
    public let url: URL
    /// The name recorded in quarantined lines (the path unless given).
    public let source: String
    /// The format read (given, detected, or ``DNSLogFormat/cof`` for an empty file).
    public let format: DNSLogFormat
    /// Longer lines are quarantined without being held whole.
    public let maxLineBytes: Int

    /// Prepares to read `url`, detecting its format when `format` is nil.
    ///
    /// Throws ``DNSLogError`` when the file is unreadable, compressed, binary or of no
    /// known format.
    public init(fileAt url: URL, format: DNSLogFormat? = nil, source: String? = nil, maxLineBytes: Int = DNSLogReader.defaultMaxLineBytes) throws {
        self.url = url
        self.source = source ?? url.path
        self.maxLineBytes = maxLineBytes
        if let kind = try FormatDetection.compression(ofFileAt: url.path) {
            throw DNSLogError.compressed(path: url.path, kind: kind)
        }
        if let format {
            self.format = format
        } else {
            // An empty file holds no records in any format; COF is the default.
            self.format = try FormatDetection.detect(fileAt: url, maxLineBytes: maxLineBytes) ?? .cof
        }
    }

    /// Prepares to read a stream (a pipe such as `/dev/stdin`) in a given format: nothing is
    /// read ahead to detect the format or compression, so every byte reaches the parser, and
    /// records come out as their lines arrive.
    public init(streamAt path: String, format: DNSLogFormat, source: String, maxLineBytes: Int = DNSLogReader.defaultMaxLineBytes) {
        self.url = URL(fileURLWithPath: path)
        self.source = source
        self.format = format
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` with each record and quarantined line in order, and returns the counts.
    @discardableResult
    public func forEach(_ body: (DNSLogEntry) throws -> Void) throws -> DNSLogReadCounts {
        try readArena(record: { row, arena in try body(.record(Self.record(row, in: arena), line: row.line)) },
                      quarantined: { try body(.quarantined($0)) })
    }

    /// The one reading loop behind ``forEach(_:)`` and ``forEachRow(_:)``: `record` gets each
    /// record's arena row (valid only during the call), `quarantined` each bad line, in order.
    func readArena(record: (ArenaRow, borrowing RecordArena) throws -> Void,
                   quarantined: (QuarantinedLine) throws -> Void) throws -> DNSLogReadCounts {
        switch format {
        case .cof:
            var parser = COFReader()
            return try read(&parser, record, quarantined)
        case .zeek:
            var parser = ZeekReader()
            return try read(&parser, record, quarantined)
        case .zeekJSON:
            var parser = ZeekJSONReader()
            return try read(&parser, record, quarantined)
        case .suricata:
            var parser = SuricataReader()
            return try read(&parser, record, quarantined)
        case .csv:
            var parser = DomainCSVReader()
            return try read(&parser, record, quarantined)
        }
    }

    /// Reads the whole file into memory (for tests and small inputs).
    public func readAll() throws -> DNSLogContents {
        var contents = DNSLogContents()
        contents.counts = try forEach { entry in
            switch entry {
            case let .record(record, line):
                contents.records.append(record)
                contents.recordLines.append(line)
            case let .quarantined(line):
                contents.quarantined.append(line)
            }
        }
        return contents
    }

    private func read<Parser: DNSLineParser>(_ parser: inout Parser, _ record: (ArenaRow, borrowing RecordArena) throws -> Void,
                                             _ quarantined: (QuarantinedLine) throws -> Void) throws -> DNSLogReadCounts {
        var driver = LineDriver(scanner: try LineScanner(path: url.path, maxLineBytes: maxLineBytes), source: source)
        var arena = RecordArena(batchRows: 1)
        while true {
            let step: LineDriver.Step?
            do {
                step = try driver.next(&parser, arena: &arena)
            } catch let error as LayoutError {
                throw DNSLogError.wrongLayout(path: url.path, format: format, reason: error.reason)
            }
            guard let step else { break }
            switch step {
            case .record:
                if let row = arena.rows.last { try record(row, arena) }
                arena.removeAll()
            case .quarantined(let line):
                try quarantined(line)
            }
        }
        return driver.counts
    }

    /// The strings of a JSON array of strings the arena wrote (`["a","b"]`, no spaces) when
    /// none holds an escape, without a JSON parser; nil otherwise (the parser decodes those).
    static func plainStrings(_ json: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard json.count >= 2, json[0] == UInt8(ascii: "["), json[json.count - 1] == UInt8(ascii: "]"),
              !json.contains(UInt8(ascii: "\\")) else { return nil }
        var strings: [String] = []
        var index = 1
        let end = json.count - 1
        while index < end {
            // An unescaped quote only opens or closes a string: with no backslash, the next
            // quote closes this one.
            guard json[index] == UInt8(ascii: "\"") else { return nil }
            var close = index + 1
            while close < end && json[close] != UInt8(ascii: "\"") { close += 1 }
            guard close < end else { return nil }
            strings.append(String(decoding: UnsafeBufferPointer(rebasing: json[(index + 1)..<close]), as: UTF8.self))
            index = close + 1
            if index < end {
                guard json[index] == UInt8(ascii: ",") else { return nil }
                index += 1
                guard index < end else { return nil }
            }
        }
        return strings
    }

    /// A row of the arena as a ``DNSRecord``.
    static func record(_ row: ArenaRow, in arena: borrowing RecordArena) -> DNSRecord {
        var rdata: [String] = []
        // The arena holds the answers as the JSON array text it wrote itself.
        let json = arena.bytes(row.rdataJSON)
        if let plain = plainStrings(json) {
            rdata = plain
        } else if case .array(let elements)? = try? JSONLineParser.parse(json) {
            rdata = elements.compactMap(\.string)
        }
        return DNSRecord(
            rrname: arena.string(row.rrname) ?? "",
            rrtype: arena.string(row.rrtype) ?? "",
            rdata: rdata,
            timeFirst: row.timeFirst,
            timeLast: row.timeLast,
            count: row.hasCount ? row.count : nil,
            bailiwick: arena.string(row.bailiwick)
        )
    }
}
