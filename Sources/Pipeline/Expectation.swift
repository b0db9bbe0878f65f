/// What happens to a row that fails an expectation, as Delta Live Tables' `@dlt.expect*`
/// decorators, plus the quarantine DLT users ask for.
public enum ExpectationAction: String, Sendable, CaseIterable {
    /// Keep the row; count the violation (`@dlt.expect`).
    case expect = "expect"
    /// Leave the row out of the table (`@dlt.expect_or_drop`).
    case drop = "expect_or_drop"
    /// Fail the update: nothing of it is committed (`@dlt.expect_or_fail`).
    case fail = "expect_or_fail"
    /// Move the row to the table's quarantine table with the expectation's name.
    case quarantine = "expect_or_quarantine"
}

/// A named condition every row of a table should meet.
public struct Expectation<Row>: Sendable {
    /// The name the event log and the quarantine table show.
    public let name: String
    /// What a failing row triggers.
    public let action: ExpectationAction
    /// True when the row meets the expectation.
    public let condition: @Sendable (Row) -> Bool

    /// Declares an expectation.
    public init(_ name: String, _ action: ExpectationAction, _ condition: @escaping @Sendable (Row) -> Bool) {
        self.name = name
        self.action = action
        self.condition = condition
    }

    /// `@dlt.expect`: count violations, keep the rows.
    public static func expect(_ name: String, _ condition: @escaping @Sendable (Row) -> Bool) -> Expectation {
        Expectation(name, .expect, condition)
    }

    /// `@dlt.expect_or_drop`.
    public static func expectOrDrop(_ name: String, _ condition: @escaping @Sendable (Row) -> Bool) -> Expectation {
        Expectation(name, .drop, condition)
    }

    /// `@dlt.expect_or_fail`.
    public static func expectOrFail(_ name: String, _ condition: @escaping @Sendable (Row) -> Bool) -> Expectation {
        Expectation(name, .fail, condition)
    }

    /// Failing rows go to the quarantine table, with this expectation's name.
    public static func expectOrQuarantine(_ name: String, _ condition: @escaping @Sendable (Row) -> Bool) -> Expectation {
        Expectation(name, .quarantine, condition)
    }
}

/// Rows that met, missed, and were removed by one expectation.
public struct ExpectationCounts: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    /// Rows left out of the table because of this expectation (dropped or quarantined).
    public var dropped = 0

    public init(passed: Int = 0, failed: Int = 0, dropped: Int = 0) {
        self.passed = passed
        self.failed = failed
        self.dropped = dropped
    }

    static func += (lhs: inout ExpectationCounts, rhs: ExpectationCounts) {
        lhs.passed += rhs.passed
        lhs.failed += rhs.failed
        lhs.dropped += rhs.dropped
    }
}
