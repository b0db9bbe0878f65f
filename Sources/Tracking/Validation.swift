/// MLflow's limits, so that what runme accepts MLflow would too.
public enum TrackingLimits {
    /// Longest parameter, metric or tag key, in characters (Unicode scalars, as Python counts).
    public static let maxKeyLength = 250
    /// Longest parameter value.
    public static let maxParamValueLength = 6000
    /// Longest tag value.
    public static let maxTagValueLength = 8000
    /// Longest experiment, run or model name.
    public static let maxNameLength = 500
}

enum Validate {
    /// Checks a parameter, metric or tag key: non-empty, not too long, no control characters
    /// (they make listings unreadable and are never intended).
    static func key(_ key: String, kind: String) throws {
        let utf8 = key.utf8
        if utf8.isEmpty {
            throw TrackingError.invalidKey(kind: kind, key: key, reason: "it is empty")
        }
        // The UTF-8 length bounds the character count, so the exact count is only needed
        // for long keys; short keys are the hot path of every logging call.
        if utf8.count > TrackingLimits.maxKeyLength {
            let length = key.unicodeScalars.count
            if length > TrackingLimits.maxKeyLength {
                throw TrackingError.invalidKey(kind: kind, key: key, reason: "it is \(length) characters long, the limit is \(TrackingLimits.maxKeyLength)")
            }
        }
        for byte in utf8 where byte < 0x20 || byte == 0x7f {
            throw TrackingError.invalidKey(kind: kind, key: key, reason: "it contains the control character 0x\(String(byte, radix: 16))")
        }
    }

    /// Checks a value's length against a limit.
    static func value(_ value: String, key: String, kind: String, limit: Int) throws {
        guard value.utf8.count > limit else { return }
        let length = value.unicodeScalars.count
        if length > limit {
            throw TrackingError.valueTooLong(kind: kind, key: key, length: length, limit: limit)
        }
    }

    static func param(key: String, value: String) throws {
        try Validate.key(key, kind: "parameter")
        try Validate.value(value, key: key, kind: "parameter", limit: TrackingLimits.maxParamValueLength)
    }

    static func tag(key: String, value: String) throws {
        try Validate.key(key, kind: "tag")
        try Validate.value(value, key: key, kind: "tag", limit: TrackingLimits.maxTagValueLength)
    }

    /// Checks an experiment or run name.
    static func name(_ name: String, of what: String) throws {
        if name.allSatisfy(\.isWhitespace) {
            throw TrackingError.invalidArgument("the \(what) name is empty; give a name with at least one visible character.")
        }
        if name.unicodeScalars.count > TrackingLimits.maxNameLength {
            throw TrackingError.invalidArgument("the \(what) name '\(name.prefix(60))…' is \(name.unicodeScalars.count) characters long; the limit is \(TrackingLimits.maxNameLength).")
        }
    }
}
