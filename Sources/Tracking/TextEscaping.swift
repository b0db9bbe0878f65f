import Foundation

// Escaping for the text formats that several modules write by hand (HTML pages, transcripts,
// alert payloads, the pipeline's JSON columns). It lives here because Tracking is the lowest
// module all of those writers import.

/// HTML text: element content and attribute values.
public enum HTMLText {
    /// `text` with `& < > " '` replaced by entities.
    public static func escaped(_ text: String) -> String {
        ScalarRewrite.rewriting(text) { scalar in
            switch scalar {
            case "&": return "&amp;"
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "\"": return "&quot;"
            case "'": return "&#39;"
            default: return nil
            }
        }
    }
}

/// JSON string literals written by hand, where a whole `JSONEncoder` pass per value would cost
/// more than the value (the pipeline's per-detection feature lists, alert payload templates).
public enum JSONStringLiteral {
    /// The inside of a JSON string literal for `text` (without the quotes).
    ///
    /// - Parameter htmlSafe: also escape `<`, `>` and `&`, and U+2028/U+2029, so that the
    ///   literal can be pasted into HTML or a script without opening a tag or ending a line.
    public static func escaped(_ text: String, htmlSafe: Bool = false) -> String {
        ScalarRewrite.rewriting(text) { scalar in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            case "<" where htmlSafe: return "\\u003c"
            case ">" where htmlSafe: return "\\u003e"
            case "&" where htmlSafe: return "\\u0026"
            default:
                if scalar.value < 0x20 || (htmlSafe && (scalar.value == 0x2028 || scalar.value == 0x2029)) {
                    return String(format: "\\u%04x", scalar.value)
                }
                return nil
            }
        }
    }

    /// `text` as a quoted JSON string literal.
    public static func quoted(_ text: String, htmlSafe: Bool = false) -> String {
        "\"" + escaped(text, htmlSafe: htmlSafe) + "\""
    }
}

/// The one loop both escapers share: each scalar replaced by `replacement`'s text, or kept
/// when it returns nil.
enum ScalarRewrite {
    @inline(__always)
    static func rewriting(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) {
                out += replaced
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
