/// A JSON value read from one line, for the layouts that are not on the loading hot path
/// (Zeek JSON, Suricata EVE, format detection, reading `rdata` back).
enum JSONLineValue {
    case null
    case bool(Bool)
    /// A number, as its JSON text (so that large integers keep every digit).
    case number(String)
    case string(String)
    case array([JSONLineValue])
    /// Members in line order; a repeated key keeps every occurrence, and lookup takes the last,
    /// as most JSON readers do.
    case object([(key: String, value: JSONLineValue)])

    /// The member named `key` of an object (the last one when repeated).
    subscript(key: String) -> JSONLineValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONLineValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var members: [(key: String, value: JSONLineValue)]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A number rounded down to an integer; nil for other values or beyond Int64.
    var floorInt64: Int64? {
        guard case .number(let text) = self else { return nil }
        if let exact = Int64(text) { return exact }
        guard let value = Double(text), value.isFinite else { return nil }
        return Int64(exactly: value.rounded(.down))
    }

    /// A short name of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Parses one line holding one JSON value into a ``JSONLineValue`` tree.
enum JSONLineParser {
    /// Parses `line` (not empty), which must hold exactly one JSON value.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONLineValue {
        guard let base = line.baseAddress, line.count > 0 else {
            throw JSONSyntaxError(offset: 0, message: "empty line")
        }
        var cursor = JSONCursor(line, base: base)
        var scratch = ByteBuffer(capacity: 256)
        cursor.skipWhitespace()
        let value = try parseValue(&cursor, depth: 0, scratch: &scratch)
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw cursor.fail("unexpected \(cursor.found) after the JSON value") }
        return value
    }

    /// Parses a line given as a Swift string.
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONLineValue {
        var text = text
        let result = text.withUTF8 { buffer in Result { () throws(JSONSyntaxError) -> JSONLineValue in try parse(buffer) } }
        return try result.get()
    }

    private static func parseValue(_ cursor: inout JSONCursor, depth: Int, scratch: inout ByteBuffer) throws(JSONSyntaxError) -> JSONLineValue {
        guard !cursor.atEnd else { throw cursor.fail("expected a value, found the end of the line") }
        switch cursor.peek() {
        case UInt8(ascii: "\""):
            return .string(try readString(&cursor, scratch: &scratch))
        case UInt8(ascii: "{"):
            guard depth < JSONCursor.maxDepth else { throw cursor.fail("nested deeper than \(JSONCursor.maxDepth) levels") }
            cursor.p += 1
            cursor.skipWhitespace()
            var members: [(key: String, value: JSONLineValue)] = []
            if cursor.peek() == UInt8(ascii: "}") {
                cursor.p += 1
                return .object(members)
            }
            while true {
                cursor.skipWhitespace()
                let key = try readString(&cursor, scratch: &scratch)
                cursor.skipWhitespace()
                try cursor.expect(UInt8(ascii: ":"), "':'")
                cursor.skipWhitespace()
                members.append((key, try parseValue(&cursor, depth: depth + 1, scratch: &scratch)))
                cursor.skipWhitespace()
                if cursor.peek() == UInt8(ascii: ",") {
                    cursor.p += 1
                    continue
                }
                try cursor.expect(UInt8(ascii: "}"), "',' or '}'")
                return .object(members)
            }
        case UInt8(ascii: "["):
            guard depth < JSONCursor.maxDepth else { throw cursor.fail("nested deeper than \(JSONCursor.maxDepth) levels") }
            cursor.p += 1
            cursor.skipWhitespace()
            var elements: [JSONLineValue] = []
            if cursor.peek() == UInt8(ascii: "]") {
                cursor.p += 1
                return .array(elements)
            }
            while true {
                cursor.skipWhitespace()
                elements.append(try parseValue(&cursor, depth: depth + 1, scratch: &scratch))
                cursor.skipWhitespace()
                if cursor.peek() == UInt8(ascii: ",") {
                    cursor.p += 1
                    continue
                }
                try cursor.expect(UInt8(ascii: "]"), "',' or ']'")
                return .array(elements)
            }
        case UInt8(ascii: "t"):
            try cursor.skipLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try cursor.skipLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try cursor.skipLiteral("null")
            return .null
        default:
            let number = try cursor.readNumber()
            return .number(String(decoding: number.text, as: UTF8.self))
        }
    }

    private static func readString(_ cursor: inout JSONCursor, scratch: inout ByteBuffer) throws(JSONSyntaxError) -> String {
        scratch.removeAll()
        // NUL is refused later, in the values a reader keeps: other fields may carry it harmlessly.
        try cursor.readString(into: &scratch, allowNUL: true)
        return scratch.string(at: 0, length: scratch.count)
    }
}
