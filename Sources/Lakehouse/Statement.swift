import CSQLite

/// A prepared SQL statement. Bind arguments, step through rows, reset to reuse.
public final class Statement {
    /// The SQL text.
    public let sql: String
    private unowned let database: Database
    private let handle: OpaquePointer
    /// Column names of the result rows.
    public let columnNames: [String]

    init(database: Database, sql: String) throws {
        self.database = database
        self.sql = sql
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw database.error(code: rc, sql: sql)
        }
        self.handle = statement
        let count = sqlite3_column_count(statement)
        columnNames = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds positional arguments (`?`), after clearing earlier bindings.
    public func bind(_ arguments: [any SQLiteBindable]) throws {
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard arguments.count == expected else {
            throw SQLiteError(code: SQLITE_RANGE, message: "statement takes \(expected) arguments, \(arguments.count) given", sql: sql, path: database.path)
        }
        for (offset, argument) in arguments.enumerated() {
            try bind(argument.sqliteValue, at: Int32(offset + 1))
        }
    }

    /// Binds one value at a 1-based parameter index.
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = bindText(v, at: index)
        case .blob(let v):
            rc = v.withUnsafeBytes { sqlite3_bind_blob64(handle, index, $0.baseAddress, sqlite3_uint64($0.count), runme_sqlite_transient()) }
        }
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Binds text without building a `SQLiteValue` (hot loading paths).
    public func bind(text: String, at index: Int32) throws {
        let rc = bindText(text, at: index)
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Passing the bytes with their length avoids the NUL-terminated copy that bridging a
    /// String to `const char *` makes, which showed up in profiles of small writes.
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        let direct = text.utf8.withContiguousStorageIfAvailable { bytes -> Int32 in
            guard let base = bytes.baseAddress else {
                // An empty string: a nil pointer would bind NULL instead.
                return sqlite3_bind_text(handle, index, "", 0, runme_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(clamping: bytes.count), runme_sqlite_transient())
            }
        }
        return direct ?? sqlite3_bind_text(handle, index, text, -1, runme_sqlite_transient())
    }

    /// Binds UTF-8 text from a byte buffer, which SQLite copies: the buffer may change or be
    /// freed as soon as the call returns. The bytes must be valid UTF-8 (SQLite does not check).
    public func bind(utf8: UnsafeBufferPointer<UInt8>, at index: Int32) throws {
        let rc = bindUTF8(utf8, at: index, destructor: runme_sqlite_transient())
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Binds UTF-8 text without copying it (`SQLITE_STATIC`), for bulk loads where SQLite's
    /// copy of every value was the largest cost after the insert itself.
    ///
    /// The caller must keep the bytes alive and unchanged until the statement has run and
    /// the parameter has been bound again or cleared with ``clearBindings()``; freeing them
    /// earlier lets a later step read freed memory. The bytes must be valid UTF-8.
    public func bind(unownedUTF8 utf8: UnsafeBufferPointer<UInt8>, at index: Int32) throws {
        let rc = bindUTF8(utf8, at: index, destructor: nil)
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    private func bindUTF8(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int32, destructor: sqlite3_destructor_type?) -> Int32 {
        guard let base = utf8.baseAddress else {
            // A nil pointer would bind NULL, not the empty string.
            return sqlite3_bind_text(handle, index, "", 0, runme_sqlite_transient())
        }
        return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
            sqlite3_bind_text(handle, index, $0, Int32(clamping: utf8.count), destructor)
        }
    }

    /// Binds NULL without building a `SQLiteValue`.
    public func bindNull(at index: Int32) throws {
        let rc = sqlite3_bind_null(handle, index)
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Sets every parameter back to NULL, releasing SQLite's hold on unowned text.
    public func clearBindings() { sqlite3_clear_bindings(handle) }

    /// Binds an integer without building a `SQLiteValue`.
    public func bind(int: Int64, at index: Int32) throws {
        let rc = sqlite3_bind_int64(handle, index, int)
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Binds a double without building a `SQLiteValue`.
    public func bind(double: Double, at index: Int32) throws {
        let rc = sqlite3_bind_double(handle, index, double)
        if rc != SQLITE_OK { throw database.error(code: rc, sql: sql) }
    }

    /// Advances to the next row; false when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code: rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, then resets it for reuse.
    public func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Resets the statement so that it can run again (bindings are kept).
    public func reset() { sqlite3_reset(handle) }

    /// The value of a column of the current row.
    public func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, column)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }

    /// Text of a column of the current row (nil for NULL).
    public func string(at column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: text)
    }

    /// Integer of a column of the current row.
    public func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// Double of a column of the current row.
    public func double(at column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// True when the column of the current row is NULL.
    public func isNull(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The current row, keyed by column name.
    public func row() -> Row {
        Row(columns: columnNames, values: (0..<Int32(columnNames.count)).map { value(at: $0) })
    }

    /// True when the statement does not write (used to keep read-only query paths honest).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
}

/// A result row: values with their column names.
public struct Row: Sendable, CustomStringConvertible {
    public let columns: [String]
    public let values: [SQLiteValue]

    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the named column, or `.null` when there is no such column.
    public subscript(_ name: String) -> SQLiteValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    public func string(_ name: String) -> String? { self[name].stringValue }
    public func int(_ name: String) -> Int? { self[name].int64Value.map { Int($0) } }
    public func int64(_ name: String) -> Int64? { self[name].int64Value }
    public func double(_ name: String) -> Double? { self[name].doubleValue }

    public var description: String {
        zip(columns, values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }
}
