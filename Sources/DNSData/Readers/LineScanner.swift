import Glibc

/// Reads a file line by line in large blocks, with bounded memory.
///
/// Lines are handed out as views into the read buffer (no copy, valid until the next
/// call). A line longer than `maxLineBytes` is never held whole: its first
/// ``QuarantinedLine/maxRawBytes`` bytes are kept for the quarantine record and the rest
/// is read past, so a multi-gigabyte line costs no more memory than a short one.
struct LineScanner: ~Copyable {
    /// One step of the scan.
    enum Event {
        /// A line without its line end (`\n` or `\r\n`). `terminated` is false for a last
        /// line that the file ends in the middle of.
        case line(UnsafeBufferPointer<UInt8>, terminated: Bool)
        /// A line longer than the limit: its first bytes, and its full length.
        case overlong(prefix: UnsafeBufferPointer<UInt8>, length: Int, terminated: Bool)
    }

    let path: String
    let maxLineBytes: Int
    private let fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let prefix: UnsafeMutablePointer<UInt8>
    /// Unconsumed bytes are buffer[start..<end]; buffer[start..<scanned] has no newline.
    private var start = 0
    private var end = 0
    private var scanned = 0
    private var atEOF = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// Bytes read from the file so far.
    private(set) var bytesRead: Int64 = 0

    /// Opens `path` for reading.
    ///
    /// - Parameters:
    ///   - maxLineBytes: longer lines are reported as ``Event/overlong(prefix:length:terminated:)``.
    ///   - blockSize: bytes asked of each `read`.
    init(path: String, maxLineBytes: Int = 1 << 20, blockSize: Int = 4 << 20) throws(DNSLogError) {
        self.path = path
        // The buffer is sized from the limit: keep it allocatable.
        self.maxLineBytes = min(max(maxLineBytes, 1), 1 << 30)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .unreadable(path: path, reason: "it is a directory")
        }
        self.fd = fd
        // Room for a whole line at the limit plus a block, so that a line of up to
        // maxLineBytes always fits once the consumed bytes are moved out.
        capacity = self.maxLineBytes + max(blockSize, 4096) + 1
        buffer = .allocate(capacity: capacity)
        prefix = .allocate(capacity: QuarantinedLine.maxRawBytes)
    }

    deinit {
        close(fd)
        buffer.deallocate()
        prefix.deallocate()
    }

    /// The next line, or nil at the end of the file.
    mutating func next() throws(DNSLogError) -> Event? {
        while true {
            if scanned < end, let newline = memchr(buffer + scanned, 0x0A, end - scanned) {
                let lineEnd = newline.assumingMemoryBound(to: UInt8.self) - buffer
                let lineStart = start
                start = lineEnd + 1
                scanned = start
                lineNumber += 1
                return Self.trimmed(buffer + lineStart, lineEnd - lineStart, terminated: true, limit: maxLineBytes, prefix: prefix)
            }
            scanned = end
            if end - start > maxLineBytes {
                return try skipOverlongLine()
            }
            if atEOF {
                guard end > start else { return nil }
                let lineStart = start
                start = end
                lineNumber += 1
                return Self.trimmed(buffer + lineStart, end - lineStart, terminated: false, limit: maxLineBytes, prefix: prefix)
            }
            try fill()
        }
    }

    /// The current line is over the limit: keeps its head and reads past the rest.
    private mutating func skipOverlongLine() throws(DNSLogError) -> Event {
        let kept = min(QuarantinedLine.maxRawBytes, end - start)
        prefix.update(from: buffer + start, count: kept)
        var length = end - start
        start = 0
        end = 0
        scanned = 0
        lineNumber += 1
        while true {
            if atEOF {
                return .overlong(prefix: UnsafeBufferPointer(start: prefix, count: kept), length: length, terminated: false)
            }
            try fill()
            if let newline = memchr(buffer, 0x0A, end) {
                let offset = newline.assumingMemoryBound(to: UInt8.self) - buffer
                length += offset
                start = offset + 1
                scanned = start
                return .overlong(prefix: UnsafeBufferPointer(start: prefix, count: kept), length: length, terminated: true)
            }
            length += end
            end = 0
        }
    }

    /// Moves the unconsumed bytes to the front and reads the next block after them.
    private mutating func fill() throws(DNSLogError) {
        if start > 0 {
            let pending = end - start
            if pending > 0 { buffer.update(from: buffer + start, count: pending) }
            scanned -= start
            end = pending
            start = 0
        }
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n > 0 {
                end += n
                bytesRead += Int64(n)
                return
            }
            if n == 0 {
                atEOF = true
                return
            }
            if errno == EINTR { continue }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The line without its `\r`, or an overlong event when it is over the limit (possible
    /// when a block holds the whole of a long line).
    @inline(__always)
    private static func trimmed(_ base: UnsafeMutablePointer<UInt8>, _ count: Int, terminated: Bool, limit: Int, prefix: UnsafeMutablePointer<UInt8>) -> Event {
        var count = count
        if count > 0 && base[count - 1] == 0x0D { count -= 1 }
        if count > limit {
            let kept = min(QuarantinedLine.maxRawBytes, count)
            prefix.update(from: base, count: kept)
            return .overlong(prefix: UnsafeBufferPointer(start: prefix, count: kept), length: count, terminated: terminated)
        }
        return .line(UnsafeBufferPointer(start: base, count: count), terminated: terminated)
    }
}
