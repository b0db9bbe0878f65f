/// Where one parsed record's text lies in a ``RecordArena``.
struct ArenaSpan {
    var offset = 0
    /// -1 for an absent optional value (NULL).
    var length = -1

    var isPresent: Bool { length >= 0 }
}

/// A parsed record: spans into the arena's bytes plus its numbers.
struct ArenaRow {
    var rrname = ArenaSpan()
    var rrtype = ArenaSpan()
    /// The answers as a JSON array text.
    var rdataJSON = ArenaSpan()
    /// The answers joined with ','.
    var rdatastr = ArenaSpan()
    var bailiwick = ArenaSpan()
    var timeFirst: Int64 = 0
    var timeLast: Int64 = 0
    var count: Int64 = 0
    var hasCount = false
    /// 1-based line in the source.
    var line = 0
}

/// Collects parsed records as bytes, a batch at a time, so that the loader can bind their
/// text to SQLite without a `String` per field or a copy per value.
///
/// Parsers write a record's fields in any order (JSON keys come in any order); a record
/// that fails half-way is abandoned, which rewinds the bytes it wrote.
struct RecordArena: ~Copyable {
    /// The text of the records in ``rows``.
    var text: ByteBuffer
    /// Finished records.
    var rows: [ArenaRow] = []
    /// The record being written.
    var current = ArenaRow()
    private var recordStart = 0
    /// The decoded answers joined with ',', built beside the JSON array.
    private var joined = ByteBuffer(capacity: 1024)
    private var rdataStart = 0
    private var rdataElements = 0
    /// Scratch space for decoding one string value.
    var scratch = ByteBuffer(capacity: 1024)

    init(batchRows: Int) {
        text = ByteBuffer(capacity: max(batchRows, 1) * 256)
        rows.reserveCapacity(batchRows)
    }

    /// Starts a record for a source line.
    @inline(__always)
    mutating func beginRecord(line: Int) {
        recordStart = text.count
        current = ArenaRow()
        current.line = line
    }

    /// Keeps the record being written.
    @inline(__always)
    mutating func commitRecord() { rows.append(current) }

    /// Drops the record being written and the bytes it wrote.
    @inline(__always)
    mutating func abandonRecord() { text.truncate(to: recordStart) }

    /// Forgets every record, keeping the memory.
    mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        text.removeAll()
        recordStart = 0
    }

    // MARK: Writing fields

    /// The offset where the next text will go, to open a span.
    @inline(__always)
    var mark: Int { text.count }

    /// The span from `start` to the end of the text.
    @inline(__always)
    func span(from start: Int) -> ArenaSpan { ArenaSpan(offset: start, length: text.count - start) }

    /// Writes a whole value and returns its span.
    mutating func write(_ value: String) -> ArenaSpan {
        let start = text.count
        text.append(value)
        return span(from: start)
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafePointer<UInt8>, count: Int) -> ArenaSpan {
        let start = text.count
        text.append(bytes, count: count)
        return span(from: start)
    }

    // MARK: The answers

    /// Starts the answer list of the current record.
    @inline(__always)
    mutating func beginRData() {
        rdataStart = text.count
        rdataElements = 0
        joined.removeAll()
        text.append(UInt8(ascii: "["))
    }

    /// Adds one decoded answer (valid UTF-8): JSON-encoded in the array and raw in the joined text.
    @inline(__always)
    mutating func appendRData(_ bytes: UnsafePointer<UInt8>, count: Int) {
        if rdataElements > 0 {
            text.append(UInt8(ascii: ","))
            joined.append(UInt8(ascii: ","))
        }
        rdataElements += 1
        JSONText.appendQuoted(UnsafeBufferPointer(start: bytes, count: count), to: &text)
        joined.append(bytes, count: count)
    }

    /// Adds one answer whose bytes need no JSON escaping (no quote, backslash or control
    /// character), copying them into both texts without examining them.
    @inline(__always)
    mutating func appendRDataCanonical(_ bytes: UnsafePointer<UInt8>, count: Int) {
        text.reserve(count + 3)
        if rdataElements > 0 {
            text.append(UInt8(ascii: ","))
            joined.append(UInt8(ascii: ","))
        }
        rdataElements += 1
        text.append(UInt8(ascii: "\""))
        text.append(bytes, count: count)
        text.append(UInt8(ascii: "\""))
        joined.append(bytes, count: count)
    }

    /// Adds the decoded answer held in ``scratch``.
    @inline(__always)
    mutating func appendRDataFromScratch() {
        let base = scratch.base
        let count = scratch.count
        appendRData(base, count: count)
    }

    mutating func appendRData(_ value: String) {
        var value = value
        value.withUTF8 { buffer in
            // An empty string has no storage; any valid pointer will do for zero bytes.
            appendRData(buffer.baseAddress ?? UnsafePointer(scratch.base), count: buffer.count)
        }
    }

    /// Ends the answer list: sets the record's `rdata` and `rdatastr` spans.
    @inline(__always)
    mutating func endRData() {
        text.append(UInt8(ascii: "]"))
        current.rdataJSON = span(from: rdataStart)
        let start = text.count
        text.append(joined.base, count: joined.count)
        current.rdatastr = span(from: start)
    }

    /// Marks the record as one observation at `seconds` (Zeek and Suricata log each query
    /// once): first and last seen then, count 1.
    mutating func setSingleObservation(at seconds: Int64) {
        current.timeFirst = seconds
        current.timeLast = seconds
        current.count = 1
        current.hasCount = true
    }

    /// Writes a whole single-observation record from decoded strings.
    mutating func writeObservation(rrname: String, rrtype: String, answers: [String], at seconds: Int64) {
        current.rrname = write(rrname)
        current.rrtype = write(rrtype)
        beginRData()
        for answer in answers { appendRData(answer) }
        endRData()
        setSingleObservation(at: seconds)
    }

    /// Sets an empty answer list.
    mutating func setNoRData() {
        beginRData()
        endRData()
    }

    // MARK: Reading back

    func bytes(_ span: ArenaSpan) -> UnsafeBufferPointer<UInt8> {
        text.bytes(at: span.offset, length: max(span.length, 0))
    }

    func string(_ span: ArenaSpan) -> String? {
        span.isPresent ? text.string(at: span.offset, length: span.length) : nil
    }
}
