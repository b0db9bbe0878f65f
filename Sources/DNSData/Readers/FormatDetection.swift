import Foundation
import Glibc

/// Tells a DNS log's format from its content: the first lines that decide it.
///
/// Rules, applied to each non-blank line in turn until one decides:
/// - a Zeek header directive (`#separator`, `#fields`, `#path`, …) → ``DNSLogFormat/zeek``;
/// - a JSON object with `event_type` or a `dns` object → ``DNSLogFormat/suricata``;
///   with `rrname` → ``DNSLogFormat/cof``; with `query`, `uid`, `id.orig_h` or
///   `qtype_name` → ``DNSLogFormat/zeekJSON``;
/// - any other text that does not start with `{`, `[`, `<` or `#` → ``DNSLogFormat/csv``.
///
/// Other `#` lines (comments), lines over the length limit, JSON lines that do not parse
/// and lines of binary data are passed over. Compressed files (gzip, bzip2, xz, zstd, zip),
/// HTML or XML, a JSON document (`[`), input whose examined lines are all binary, and JSON
/// lines of an unknown layout are refused with a ``DNSLogError``.
public enum FormatDetection {
    /// How many non-blank lines are examined before giving up.
    public static let maxLinesExamined = 64
    /// How many bytes are read at most before giving up.
    public static let maxBytesExamined: Int64 = 64 << 20

    /// The format of the file at `url`, or nil when it has no non-blank line at all.
    public static func detect(fileAt url: URL, maxLineBytes: Int = 1 << 20) throws -> DNSLogFormat? {
        let path = url.path
        if let kind = try compression(ofFileAt: path) { throw DNSLogError.compressed(path: path, kind: kind) }
        var scanner = try LineScanner(path: path, maxLineBytes: maxLineBytes, blockSize: 1 << 16)
        var detector = Detector(path: path)
        while let event = try scanner.next() {
            // A file of blank or overlong lines must not be read to its end to decide.
            if scanner.bytesRead > maxBytesExamined { break }
            guard case .line(var line, _) = event else { continue }
            if scanner.lineNumber == 1 { line = LineText.droppingBOM(line) }
            if let format = try detector.examine(line) { return format }
            if detector.examined >= maxLinesExamined { break }
        }
        return try detector.conclusion()
    }

    /// The format of some lines of text, or nil when none is non-blank.
    public static func detect(lines: [String]) throws -> DNSLogFormat? {
        var detector = Detector(path: "the input")
        for var line in lines {
            let format = try line.withUTF8 { try detector.examine($0) }
            if let format { return format }
            if detector.examined >= maxLinesExamined { break }
        }
        return try detector.conclusion()
    }

    /// The compression of a file, from its magic number.
    static func compression(ofFileAt path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DNSLogError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 6)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 6) }
        guard n > 0 else { return nil }
        let bytes = Array(head.prefix(n))
        let magics: [(String, [UInt8])] = [
            ("gzip", [0x1F, 0x8B]), ("bzip2", [0x42, 0x5A, 0x68]), ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
            ("zstd", [0x28, 0xB5, 0x2F, 0xFD]), ("zip", [0x50, 0x4B, 0x03, 0x04]),
        ]
        return magics.first { bytes.starts(with: $0.1) }?.0
    }

    struct Detector {
        let path: String
        private(set) var examined = 0
        private var binaryLines = 0
        private var badJSONLines = 0
        private var unknownKeys: [String]?

        init(path: String) { self.path = path }

        private static let zeekDirectives = ["#separator", "#set_separator", "#empty_field", "#unset_field", "#path", "#open", "#fields", "#types"]

        mutating func examine(_ line: UnsafeBufferPointer<UInt8>) throws -> DNSLogFormat? {
            guard let first = LineText.firstNonBlank(line), let base = line.baseAddress else { return nil }
            examined += 1
            if memchr(base, 0, line.count) != nil || !UTF8Check.isValid(line) {
                binaryLines += 1
                return nil
            }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            switch first {
            case UInt8(ascii: "#"):
                if Self.zeekDirectives.contains(where: { text.hasPrefix($0 + " ") || text.hasPrefix($0 + "\t") }) { return .zeek }
                return nil
            case UInt8(ascii: "{"):
                guard let object = try? JSONLineParser.parse(line), let members = object.members else {
                    badJSONLines += 1
                    return nil
                }
                let keys = Set(members.map(\.key))
                if keys.contains("event_type") || object["dns"]?.members != nil { return .suricata }
                if keys.contains("rrname") { return .cof }
                if !keys.isDisjoint(with: ["query", "uid", "id.orig_h", "qtype_name"]) { return .zeekJSON }
                unknownKeys = unknownKeys ?? members.map(\.key)
                return nil
            case UInt8(ascii: "<"):
                throw DNSLogError.undetectable(path: path, reason: "it starts with '<', like HTML or XML")
            case UInt8(ascii: "["):
                throw DNSLogError.undetectable(path: path, reason: "it starts with '[', like a JSON document; runme reads JSON lines (one object a line)")
            default:
                return .csv
            }
        }

        /// The verdict when no line decided.
        func conclusion() throws -> DNSLogFormat? {
            if let unknownKeys {
                throw DNSLogError.undetectable(path: path, reason: "its JSON lines have an unknown layout (keys: \(unknownKeys.prefix(12).joined(separator: ", ")))")
            }
            if badJSONLines > 0 {
                throw DNSLogError.undetectable(path: path, reason: "its lines start with '{' but are not valid JSON")
            }
            if binaryLines > 0 { throw DNSLogError.binary(path: path) }
            return nil
        }
    }
}
