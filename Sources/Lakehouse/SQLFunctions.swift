import CSQLite
import Foundation

/// A scalar SQL function implemented in Swift: takes the call's arguments, returns its value;
/// a thrown error becomes the statement's error, with the error's description as message.
public typealias SQLScalarFunction = ([SQLiteValue]) throws -> SQLiteValue

/// The closure behind a registered function, kept alive by SQLite (freed by its destructor).
private final class FunctionBox {
    let name: String
    let body: SQLScalarFunction
    init(name: String, body: @escaping SQLScalarFunction) {
        self.name = name
        self.body = body
    }
}

extension Database {
    /// Registers a scalar SQL function on this connection (`sqlite3_create_function_v2`).
    ///
    /// - Parameters:
    ///   - name: the SQL name, e.g. `domain_extract`.
    ///   - argumentCount: the number of arguments (-1: any).
    ///   - deterministic: same arguments, same result, so SQLite may factor calls out.
    public func registerFunction(_ name: String, argumentCount: Int32, deterministic: Bool = true,
                                 _ body: @escaping SQLScalarFunction) throws {
        let box = Unmanaged.passRetained(FunctionBox(name: name, body: body)).toOpaque()
        let flags = SQLITE_UTF8 | (deterministic ? SQLITE_DETERMINISTIC : 0)
        let rc = sqlite3_create_function_v2(handle, name, argumentCount, flags, box, { context, count, arguments in
            guard let context else { return }
            let box = Unmanaged<FunctionBox>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
            var values: [SQLiteValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<Int(count) { values.append(SQLiteValue(function: arguments?[index])) }
            do {
                try box.body(values).setResult(context)
            } catch {
                sqlite3_result_error(context, "\(box.name): \(error)", -1)
            }
        }, nil, nil, { pointer in
            if let pointer { Unmanaged<FunctionBox>.fromOpaque(pointer).release() }
        })
        guard rc == SQLITE_OK else {
            // On failure SQLite has already called the destructor, which released the box.
            throw SQLiteError(code: rc, message: "cannot register the SQL function \(name): \(lastErrorMessage)", path: path)
        }
    }

    /// Runs SQL that must only read: each statement is checked with `sqlite3_stmt_readonly`
    /// before it runs, and one that would write is refused (the connection should be read-only
    /// as well). Returns the columns and rows of the last statement that returns columns.
    public func readOnlyQuery(_ sql: String) throws -> (columns: [String], rows: [[SQLiteValue]]) {
        var result: (columns: [String], rows: [[SQLiteValue]]) = ([], [])
        try sql.withCString { text in
            var rest: UnsafePointer<CChar>? = text
            while let start = rest, start.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(handle, start, -1, &statement, &tail)
                let statementText = tail.map { String(decoding: UnsafeRawBufferPointer(start: start, count: $0 - start), as: UTF8.self) } ?? String(cString: start)
                guard rc == SQLITE_OK else { throw error(code: rc, sql: statementText.trimmingCharacters(in: .whitespacesAndNewlines)) }
                rest = tail
                guard let statement else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(statement) }
                guard sqlite3_stmt_readonly(statement) != 0 else {
                    throw SQLiteError(code: SQLITE_READONLY, message: "this connection only reads: the statement would write (INSERT, UPDATE, DELETE, CREATE, DROP and PRAGMA assignments are refused)",
                                      sql: statementText.trimmingCharacters(in: .whitespacesAndNewlines), path: path)
                }
                let count = sqlite3_column_count(statement)
                var rows: [[SQLiteValue]] = []
                while true {
                    let step = sqlite3_step(statement)
                    if step == SQLITE_DONE { break }
                    guard step == SQLITE_ROW else { throw error(code: step, sql: statementText.trimmingCharacters(in: .whitespacesAndNewlines)) }
                    rows.append((0..<count).map { SQLiteValue(column: statement, $0) })
                }
                if count > 0 { result = ((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }, rows) }
            }
        }
        return result
    }
}

extension SQLiteValue {
    /// The value of a function argument.
    init(function value: OpaquePointer?) {
        guard let value else { self = .null; return }
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: self = .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT: self = .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            if let text = sqlite3_value_text(value) {
                self = .text(String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))), as: UTF8.self))
            } else {
                self = .null
            }
        case SQLITE_BLOB:
            let count = Int(sqlite3_value_bytes(value))
            if let bytes = sqlite3_value_blob(value), count > 0 {
                self = .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            } else {
                self = .blob([])
            }
        default: self = .null
        }
    }

    /// The value of a result column.
    init(column statement: OpaquePointer, _ index: Int32) {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: self = .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: self = .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            if let text = sqlite3_column_text(statement, index) {
                self = .text(String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self))
            } else {
                self = .null
            }
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            if let bytes = sqlite3_column_blob(statement, index), count > 0 {
                self = .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            } else {
                self = .blob([])
            }
        default: self = .null
        }
    }

    /// Sets this value as a function's result.
    func setResult(_ context: OpaquePointer) {
        switch self {
        case .null: sqlite3_result_null(context)
        case let .integer(value): sqlite3_result_int64(context, value)
        case let .real(value): sqlite3_result_double(context, value)
        case let .text(value): sqlite3_result_text(context, value, -1, runme_sqlite_transient())
        case let .blob(bytes):
            bytes.withUnsafeBytes { sqlite3_result_blob(context, $0.baseAddress, Int32($0.count), runme_sqlite_transient()) }
        }
    }
}
