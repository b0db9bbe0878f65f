/// Why a DNS log could not be read at all (as opposed to a bad line, which is quarantined).
public enum DNSLogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file is compressed; runme reads plain text only.
    case compressed(path: String, kind: String)
    /// The first lines are binary data, not text.
    case binary(path: String)
    /// The content matches none of the formats.
    case undetectable(path: String, reason: String)
    /// The content does not fit the format it was read as, so no line could be a record.
    case wrongLayout(path: String, format: DNSLogFormat, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .compressed(path, kind):
            return "\(path) is \(kind)-compressed: decompress it first (runme reads plain-text DNS logs)"
        case let .binary(path):
            return "\(path) holds binary data, not a text DNS log (NUL bytes or invalid UTF-8 in its first lines)"
        case let .undetectable(path, reason):
            return "cannot tell the format of \(path): \(reason). Name it explicitly (one of \(DNSLogFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .wrongLayout(path, format, reason):
            return "\(path) is not a \(format) DNS log: \(reason)"
        }
    }
}
