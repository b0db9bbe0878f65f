import Foundation

/// When an alert triggers: a column of the first row, or an aggregation of a column over all
/// rows, compared with a threshold.
public struct AlertCondition: Sendable, Equatable {
    public enum Aggregation: String, Sendable, CaseIterable {
        case count = "COUNT", countDistinct = "COUNT_DISTINCT", sum = "SUM", avg = "AVG", median = "MEDIAN"
        case min = "MIN", max = "MAX", stddev = "STDDEV"
    }

    public enum Operator: String, Sendable, CaseIterable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="
        case isNull = "IS NULL"
    }

    /// A value to compare: numbers compare as numbers, anything else as text.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case null
        case number(Double)
        case text(String)

        public var description: String {
            switch self {
            case .null: return "NULL"
            case .number(let n): return Self.format(n)
            case .text(let t): return t
            }
        }

        /// Whole numbers without a fraction ("3", not "3.0").
        static func format(_ n: Double) -> String {
            if n.rounded() == n && abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        }

        var number: Double? {
            switch self {
            case .number(let n): return n
            case .text(let t): return Double(t.trimmingCharacters(in: .whitespaces))
            case .null: return nil
            }
        }
    }

    public var column: String
    public var aggregation: Aggregation?
    public var op: Operator
    /// Nil only for `IS NULL`.
    public var threshold: Value?

    public init(column: String, aggregation: Aggregation? = nil, op: Operator, threshold: Value?) {
        self.column = column
        self.aggregation = aggregation
        self.op = op
        self.threshold = threshold
    }

    /// What is compared: the column, or the aggregation of it (`COUNT(domain)`).
    public var subject: String { aggregation.map { "\($0.rawValue)(\(column))" } ?? column }

    /// How the condition reads: `ioc_count > 0`, `COUNT(domain) > 0`.
    public var text: String {
        op == .isNull ? "\(subject) IS NULL" : "\(subject) \(op.rawValue) \(threshold?.description ?? "")"
    }

    /// What evaluating the condition on a query result gave.
    public enum Outcome: Sendable, Equatable {
        case met(Value)
        case notMet(Value)
        /// The result has nothing to compare (why).
        case unknown(String)
    }

    /// Evaluates the condition on a query's rows.
    public func evaluate(_ result: QueryResult) -> Outcome {
        guard let index = result.columns.firstIndex(of: column) else {
            return .unknown("the query has no column '\(column)' (it has: \(result.columns.joined(separator: ", ")))")
        }
        let value: Value
        if let aggregation {
            switch aggregate(aggregation, result.rows.map { $0[index] }) {
            case .success(let v): value = v
            case .failure(let problem): return .unknown(problem.message)
            }
        } else {
            guard let first = result.rows.first else { return .unknown("the query returned no rows") }
            value = first[index]
        }
        return compare(value)
    }

    func compare(_ value: Value) -> Outcome {
        if op == .isNull { return value == .null ? .met(value) : .notMet(value) }
        guard let threshold else { return .unknown("no threshold to compare with") }
        if value == .null { return .unknown("\(subject) is NULL; use the IS NULL operator to alert on that") }
        let order: ComparisonResult
        if let a = value.number, let b = threshold.number {
            order = a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        } else {
            let a = value.description, b = threshold.description
            order = a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        }
        let holds: Bool
        switch op {
        case .greater: holds = order == .orderedDescending
        case .greaterOrEqual: holds = order != .orderedAscending
        case .less: holds = order == .orderedAscending
        case .lessOrEqual: holds = order != .orderedDescending
        case .equal: holds = order == .orderedSame
        case .notEqual: holds = order != .orderedSame
        case .isNull: holds = false
        }
        return holds ? .met(value) : .notMet(value)
    }

    struct Problem: Error { let message: String }

    /// Aggregates a column; NULLs are left out, as SQL aggregates do.
    func aggregate(_ aggregation: Aggregation, _ values: [Value]) -> Result<Value, Problem> {
        let present = values.filter { $0 != .null }
        switch aggregation {
        case .count: return .success(.number(Double(present.count)))
        case .countDistinct: return .success(.number(Double(Set(present.map(\.description)).count)))
        default: break
        }
        var numbers: [Double] = []
        for value in present {
            guard let n = value.number else {
                return .failure(Problem(message: "\(aggregation.rawValue)(\(column)) needs numbers; the column holds '\(value.description)'"))
            }
            numbers.append(n)
        }
        if aggregation == .sum { return .success(.number(numbers.reduce(0, +))) }
        guard !numbers.isEmpty else { return .success(.null) }
        switch aggregation {
        case .avg: return .success(.number(numbers.reduce(0, +) / Double(numbers.count)))
        case .min: return .success(.number(numbers.min() ?? 0))
        case .max: return .success(.number(numbers.max() ?? 0))
        case .median:
            let sorted = numbers.sorted()
            let middle = sorted.count / 2
            return .success(.number(sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2))
        case .stddev:
            // The sample standard deviation, as SQL's STDDEV; undefined for one value.
            guard numbers.count > 1 else { return .success(.null) }
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            let squares = numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return .success(.number((squares / Double(numbers.count - 1)).squareRoot()))
        case .count, .countDistinct, .sum: return .success(.null)
        }
    }
}
