import Foundation
import Lakehouse

/// What an alert's query returned: column names and rows of values.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[AlertCondition.Value]]
    /// True when the query had more rows than were read (`max_rows`).
    public var truncated: Bool

    public init(columns: [String], rows: [[AlertCondition.Value]], truncated: Bool = false) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
    }
}

/// Why a query gave no result to evaluate.
public struct AlertQueryError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Runs alert queries on a read-only connection to the results database.
public final class AlertQueryRunner {
    private let database: Database?
    private let openProblem: String?

    /// Opens `lakehouse.db` of the store read-only. A missing or unreadable database is not an
    /// error here: every query then fails with the reason, so each alert becomes UNKNOWN.
    public init(storeDirectory: URL) {
        do {
            database = try LakehouseSchema.openReadOnly(storeDirectory: storeDirectory)
            openProblem = nil
        } catch let error as LakehouseError {
            database = nil
            openProblem = "\(error)"
        } catch {
            database = nil
            openProblem = "cannot open the results database: \(error)"
        }
    }

    /// Runs one query within `timeLimit`, reading at most `maxRows` rows.
    public func run(_ sql: String, timeLimit: Duration, maxRows: Int) throws(AlertQueryError) -> QueryResult {
        guard let database else { throw AlertQueryError(description: openProblem ?? "no results database") }
        do {
            return try database.withTimeLimit(timeLimit) {
                let statement = try database.prepare(sql)
                // A read-only connection still lets a statement create TEMP tables; refuse
                // anything that is not a pure read.
                guard statement.isReadOnly else {
                    throw AlertQueryError(description: "the query writes; alert queries may only read (use SELECT or WITH … SELECT)")
                }
                guard !statement.columnNames.isEmpty else {
                    throw AlertQueryError(description: "the statement returns no columns; an alert query must be a SELECT")
                }
                var rows: [[AlertCondition.Value]] = []
                var truncated = false
                let width = Int32(statement.columnNames.count)
                while try statement.step() {
                    if rows.count >= maxRows {
                        truncated = true
                        break
                    }
                    rows.append((0..<width).map { column in
                        switch statement.value(at: column) {
                        case .null: return .null
                        case .integer(let v): return .number(Double(v))
                        case .real(let v): return .number(v)
                        case .text(let v): return .text(v)
                        case .blob(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
                        }
                    })
                }
                statement.reset()
                return QueryResult(columns: statement.columnNames, rows: rows, truncated: truncated)
            }
        } catch let error as AlertQueryError {
            throw error
        } catch let error as SQLiteError where error.isInterrupt {
            throw AlertQueryError(description: "the query ran longer than its time limit of \(timeLimit.secondsText) and was stopped; make it cheaper or raise options.query_timeout_seconds")
        } catch let error as SQLiteError where error.isReadOnlyViolation {
            throw AlertQueryError(description: "the query writes; alert queries may only read")
        } catch let error as SQLiteError {
            throw AlertQueryError(description: "the query failed: \(error.message)")
        } catch {
            throw AlertQueryError(description: "the query failed: \(error)")
        }
    }
}

extension Duration {
    var secondsText: String {
        let seconds = self / .seconds(1)
        return seconds.rounded() == seconds ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
    var secondsValue: Double { self / .seconds(1) }
}
