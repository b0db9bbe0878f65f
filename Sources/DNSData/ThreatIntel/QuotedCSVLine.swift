/// CSV as threat feeds and dnstwist write it: RFC 4180 quoting (fields in double quotes, a
/// doubled quote for a quote inside) on one physical line per record. Feeds never put a line
/// break inside a field, so reading line by line lets one damaged line (a stray quote, a file
/// cut short) be rejected on its own instead of swallowing the lines after it.
enum QuotedCSVLine {
    /// Why a line is not well-formed CSV; `field` counts from 1.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(field: Int)
        case textAfterClosingQuote(field: Int)
        case quoteInUnquotedField(field: Int)

        var description: String {
            switch self {
            case let .unterminatedQuote(field):
                return "quoted field \(field) is not closed before the end of the line (truncated file?)"
            case let .textAfterClosingQuote(field):
                return "text follows the closing quote of field \(field)"
            case let .quoteInUnquotedField(field):
                return "a quote inside unquoted field \(field)"
            }
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// The physical lines of `bytes` with their 1-based numbers, ends (`\r\n`, `\n` or a lone
    /// `\r`) removed, a UTF-8 byte order mark at the start skipped. A final line without an
    /// end is kept; the empty remainder after a final line end is not.
    static func lines(of bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        var result: [(number: Int, bytes: ArraySlice<UInt8>)] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == lineFeed || byte == carriageReturn {
                result.append((result.count + 1, bytes[start..<index]))
                index += (byte == carriageReturn && index + 1 < bytes.count && bytes[index + 1] == lineFeed) ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < bytes.count { result.append((result.count + 1, bytes[start...])) }
        return result
    }

    /// The fields of one line. Invalid UTF-8 inside a field becomes U+FFFD.
    static func fields(of line: ArraySlice<UInt8>) -> Result<[String], Problem> {
        var fields: [String] = []
        var index = line.startIndex
        while true {
            let fieldNumber = fields.count + 1
            if index < line.endIndex, line[index] == quote {
                var value: [UInt8] = []
                index += 1
                var closed = false
                while index < line.endIndex {
                    if line[index] == quote {
                        if index + 1 < line.endIndex, line[index + 1] == quote {
                            value.append(quote)
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        value.append(line[index])
                        index += 1
                    }
                }
                guard closed else { return .failure(.unterminatedQuote(field: fieldNumber)) }
                guard index == line.endIndex || line[index] == comma else {
                    return .failure(.textAfterClosingQuote(field: fieldNumber))
                }
                fields.append(String(decoding: value, as: UTF8.self))
            } else {
                let end = line[index...].firstIndex(of: comma) ?? line.endIndex
                let value = line[index..<end]
                if value.contains(quote) { return .failure(.quoteInUnquotedField(field: fieldNumber)) }
                fields.append(String(decoding: value, as: UTF8.self))
                index = end
            }
            guard index < line.endIndex else { return .success(fields) }
            index += 1 // past the comma; a comma at the very end leaves one more, empty, field
        }
    }

    /// The line as text for a quarantine record, at most `limit` bytes of UTF-8.
    static func rawText(_ line: ArraySlice<UInt8>, limit: Int) -> String {
        // A cut inside a multi-byte character decodes to U+FFFD, which may overshoot by a
        // few bytes: trim whole characters until it fits.
        var text = String(decoding: line.prefix(limit), as: UTF8.self)
        while text.utf8.count > limit { text.removeLast() }
        return text
    }
}
