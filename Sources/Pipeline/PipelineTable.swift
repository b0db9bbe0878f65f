/// A declared table of a pipeline, in the spirit of `@dlt.table`: where its rows come from,
/// how they are made, and the expectations they are held to.
///
/// The transformation works on batches, so that costly work (scoring with a model) is done
/// once per batch rather than once per row.
public struct PipelineTable<Input, Row>: Sendable {
    /// The table's name in the lakehouse.
    public let name: String
    /// Where its input comes from, for people (a file location or an upstream table).
    public let source: String
    /// Where rows failing an `expect_or_quarantine` expectation go; nil when it has none.
    public let quarantineTable: String?
    /// Makes the table's rows from a batch of input (rows may be left out: a filter).
    public let transform: @Sendable ([Input]) throws -> [Row]
    /// Checked on every row the transformation makes, in this order.
    public let expectations: [Expectation<Row>]

    /// Declares a table.
    public init(name: String, source: String, quarantineTable: String? = nil, expectations: [Expectation<Row>],
                transform: @escaping @Sendable ([Input]) throws -> [Row]) {
        self.name = name
        self.source = source
        self.quarantineTable = quarantineTable
        self.transform = transform
        self.expectations = expectations
    }

    /// The rows of one batch after the expectations.
    public struct Checked: Sendable where Row: Sendable {
        /// Rows to write.
        public var kept: [Row] = []
        /// Rows for the quarantine table, with the names of the expectations they failed.
        public var quarantined: [(row: Row, expectations: String)] = []
    }

    /// Transforms a batch and holds its rows to the expectations, counting into `ledger`.
    ///
    /// - Throws: ``PipelineError/expectationFailed(table:expectation:row:)`` when an
    ///   `expect_or_fail` expectation fails (the caller rolls the update back), or what the
    ///   transformation throws.
    public func run(_ batch: [Input], ledger: ExpectationLedger, describe: (Row) -> String) throws -> Checked where Row: Sendable {
        try check(try transform(batch), ledger: ledger, describe: describe)
    }

    /// Holds rows to the expectations (without transforming them).
    public func check(_ rows: consuming [Row], ledger: ExpectationLedger, describe: (Row) -> String) throws -> Checked where Row: Sendable {
        var counts = [ExpectationCounts](repeating: ExpectationCounts(), count: expectations.count)
        var checked = Checked()
        defer {
            for (index, expectation) in expectations.enumerated() {
                ledger.add(table: name, expectation: expectation.name, action: expectation.action, counts[index])
            }
        }
        // In the usual batch every row is kept, so the kept rows are the batch itself; rows
        // that leave are noted as they are met.
        var leaving: [(index: Int, quarantinedBy: [String])] = []
        // Each row is moved out of the batch while the expectations look at it, and moved
        // back: a condition takes its row indirectly (`Row` is generic), and a row read out of
        // the array (`rows[index]`) was a copy, every string of it retained and released, a
        // twentieth of the reading thread's time. The batch is this function's own
        // (`consuming`), so nothing else sees it between the two moves.
        try rows.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for index in 0..<buffer.count {
                let row = (base + index).move()
                var removed = false
                var quarantinedBy: [String] = []
                var failure: PipelineError?
                for number in expectations.indices {
                    if expectations[number].condition(row) {
                        counts[number].passed += 1
                        continue
                    }
                    counts[number].failed += 1
                    let expectation = expectations[number]
                    switch expectation.action {
                    case .expect:
                        break
                    case .drop:
                        counts[number].dropped += 1
                        removed = true
                    case .quarantine:
                        counts[number].dropped += 1
                        removed = true
                        quarantinedBy.append(expectation.name)
                    case .fail:
                        failure = PipelineError.expectationFailed(table: name, expectation: expectation.name, row: describe(row))
                    }
                    if failure != nil { break }
                }
                // Back in its place before anything can leave this loop.
                (base + index).initialize(to: consume row)
                if let failure { throw failure }
                if !quarantinedBy.isEmpty, quarantineTable != nil {
                    leaving.append((index, quarantinedBy))
                } else if removed {
                    leaving.append((index, []))
                }
            }
        }
        guard !leaving.isEmpty else {
            checked.kept = rows
            return checked
        }
        checked.kept.reserveCapacity(rows.count - leaving.count)
        var next = 0
        for index in rows.indices {
            if next < leaving.count, leaving[next].index == index {
                if !leaving[next].quarantinedBy.isEmpty {
                    checked.quarantined.append((rows[index], leaving[next].quarantinedBy.joined(separator: ",")))
                }
                next += 1
            } else {
                checked.kept.append(rows[index])
            }
        }
        return checked
    }
}
