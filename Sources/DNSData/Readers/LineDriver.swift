import Glibc

/// Feeds the lines of a scanner through a parser, checking each line first: blank lines
/// are skipped, and a line that is binary (NUL bytes), not UTF-8, or over the length
/// limit is quarantined without reaching the parser.
struct LineDriver: ~Copyable {
    enum Step {
        /// A record: the last row of the arena.
        case record
        case quarantined(QuarantinedLine)
    }

    var scanner: LineScanner
    let source: String
    private(set) var counts = DNSLogReadCounts()

    init(scanner: consuming LineScanner, source: String) {
        self.scanner = scanner
        self.source = source
    }

    /// 1-based number of the line last read.
    var lineNumber: Int { scanner.lineNumber }

    /// The next record or quarantined line, or nil at the end of the input.
    @inline(__always)
    mutating func next<Parser: DNSLineParser>(_ parser: inout Parser, arena: inout RecordArena) throws -> Step? {
        while let event = try scanner.next() {
            let number = scanner.lineNumber
            counts.linesRead = number
            counts.bytes = scanner.bytesRead
            switch event {
            case let .overlong(prefix, length, terminated):
                let reason = "the line is \(length) bytes long, over the \(scanner.maxLineBytes)-byte limit" + (terminated ? "" : "; the file ends inside it")
                return quarantine(prefix, number: number, reason: reason)
            case .line(var line, let terminated):
                if number == 1 { line = LineText.droppingBOM(line) }
                guard LineText.firstNonBlank(line) != nil, let base = line.baseAddress else {
                    counts.linesSkipped += 1
                    continue
                }
                if let nul = memchr(base, 0, line.count) {
                    let offset = UnsafeRawPointer(nul) - UnsafeRawPointer(base)
                    return quarantine(line, number: number, reason: "a NUL byte at byte \(offset + 1): binary data, not text")
                }
                if let bad = UTF8Check.firstInvalidOffset(line) {
                    return quarantine(line, number: number, reason: "invalid UTF-8 at byte \(bad + 1)")
                }
                arena.beginRecord(line: number)
                switch try parser.parse(line, base: base, into: &arena) {
                case .record:
                    arena.commitRecord()
                    counts.records += 1
                    return .record
                case .skipped:
                    arena.abandonRecord()
                    counts.linesSkipped += 1
                case .rejected(let reason):
                    arena.abandonRecord()
                    return quarantine(line, number: number, reason: terminated ? reason : "the last line is cut off (no line end): " + reason)
                }
            }
        }
        counts.bytes = scanner.bytesRead
        return nil
    }

    private mutating func quarantine(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, reason: String) -> Step {
        counts.quarantined += 1
        return .quarantined(QuarantinedLine(source: source, line: number, reason: reason, raw: QuarantinedLine.rawText(bytes)))
    }
}
