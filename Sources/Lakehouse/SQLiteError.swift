import CSQLite

/// An error from SQLite, carrying what failed: the result code, SQLite's message, the
/// statement that was running and the database file, so that a user can tell which input
/// caused it and what to do.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The primary SQLite result code (for example `SQLITE_BUSY`, `SQLITE_CORRUPT`).
    public let code: Int32
    /// The extended result code, when SQLite reported one.
    public let extendedCode: Int32
    /// SQLite's own message.
    public let message: String
    /// The SQL being prepared or run, if any.
    public let sql: String?
    /// The database file.
    public let path: String

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil, path: String) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// True for the codes that mean another process holds a lock right now.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True when the file is not a database or is damaged.
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }
    /// True for a violated constraint (unique key, foreign key, check).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }
    // The extended constraint codes are macros built from shifts, which Swift does not
    // import: SQLITE_CONSTRAINT_FOREIGNKEY (3), _PRIMARYKEY (6) and _UNIQUE (8) from sqlite3.h.
    /// True for a violated foreign key (a row refers to a parent row that does not exist).
    public var isForeignKeyViolation: Bool { extendedCode == SQLITE_CONSTRAINT | (3 << 8) }
    /// True for a violated unique or primary key.
    public var isUniqueViolation: Bool { extendedCode == SQLITE_CONSTRAINT | (6 << 8) || extendedCode == SQLITE_CONSTRAINT | (8 << 8) }

    public var description: String {
        var text = "SQLite error \(code) (\(Self.name(of: code))) in \(path): \(message)"
        if let sql { text += "\n  while running: \(sql.count > 300 ? String(sql.prefix(300)) + "…" : sql)" }
        if isCorrupt {
            text += "\n  The file is not a valid SQLite database or is damaged; it was not modified. Restore it from a backup or point the command at another store."
        } else if isBusy {
            text += "\n  Another process held the database lock for longer than the busy timeout; retry when it has finished."
        }
        return text
    }

    static func name(of code: Int32) -> String {
        String(cString: sqlite3_errstr(code))
    }
}

/// A typed value read from or bound to a SQLite statement.
public enum SQLiteValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return v
        case .blob(let v): return "<\(v.count) bytes>"
        }
    }

    /// The value as text, as SQLite would print it; nil for NULL.
    public var stringValue: String? {
        switch self {
        case .null: return nil
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return description
        }
    }

    /// The value as a double, when numeric.
    public var doubleValue: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        case .text(let v): return Double(v)
        default: return nil
        }
    }

    /// The value as an integer, when integral.
    public var int64Value: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return v.rounded() == v ? Int64(exactly: v) : nil
        case .text(let v): return Int64(v)
        default: return nil
        }
    }
}

/// Types that bind to a statement parameter.
public protocol SQLiteBindable: Sendable {
    var sqliteValue: SQLiteValue { get }
}

extension Int: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(Int64(self)) } }
extension Int64: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(self) } }
extension Int32: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(Int64(self)) } }
extension Double: SQLiteBindable { public var sqliteValue: SQLiteValue { .real(self) } }
extension String: SQLiteBindable { public var sqliteValue: SQLiteValue { .text(self) } }
extension Bool: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) } }
extension SQLiteValue: SQLiteBindable { public var sqliteValue: SQLiteValue { self } }
extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}
