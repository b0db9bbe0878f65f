import Foundation

// Escaping for the text formats that several modules write by hand (HTML pages, transcripts,
// alert payloads, the pipeline's JSON columns). It lives here because Tracking is the lowest
// module all of those writers import.

/// HTML text: element content and attribute values.
public enum HTMLText {
    /// `text` with `& < > " '` replaced by entities.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
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
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where htmlSafe: out += "\\u003c"
            case ">" where htmlSafe: out += "\\u003e"
            case "&" where htmlSafe: out += "\\u0026"
            default:
                if scalar.value < 0x20 || (htmlSafe && (scalar.value == 0x2028 || scalar.value == 0x2029)) {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `text` as a quoted JSON string literal.
    public static func quoted(_ text: String, htmlSafe: Bool = false) -> String {
        "\"" + escaped(text, htmlSafe: htmlSafe) + "\""
    }
}
