import Foundation
import Pipeline
import Testing

/// Declared tables hold rows to their expectations as DLT's decorators do, plus quarantine.
@Suite struct ExpectationTests {
    struct Item: Sendable { var name: String; var value: Int }

    func table(_ expectations: [Pipeline.Expectation<Item>]) -> PipelineTable<Int, Item> {
        PipelineTable(name: "items", source: "numbers", quarantineTable: "items_quarantine", expectations: expectations) { numbers in
            numbers.map { Item(name: "n\($0)", value: $0) }
        }
    }

    @Test func eachActionKeepsDropsOrQuarantinesAndCounts() throws {
        let items = table([
            .expect("even") { $0.value % 2 == 0 },
            .expectOrDrop("below_8") { $0.value < 8 },
            .expectOrQuarantine("positive") { $0.value > 0 },
        ])
        let ledger = ExpectationLedger()
        let checked = try items.run([-1, 0, 1, 2, 3, 8, 9], ledger: ledger, describe: \.name)
        #expect(checked.kept.map(\.value) == [1, 2, 3])
        #expect(checked.quarantined.map(\.row.value) == [-1, 0])
        #expect(checked.quarantined.allSatisfy { $0.expectations == "positive" })
        let counts = Dictionary(uniqueKeysWithValues: ledger.entries.map { ($0.expectation, $0.counts) })
        #expect(counts["even"] == ExpectationCounts(passed: 3, failed: 4, dropped: 0))
        #expect(counts["below_8"] == ExpectationCounts(passed: 5, failed: 2, dropped: 2))
        #expect(counts["positive"] == ExpectationCounts(passed: 5, failed: 2, dropped: 2))
        // Counts add up over batches of one update.
        _ = try items.run([4], ledger: ledger, describe: \.name)
        #expect(ledger.entries.first { $0.expectation == "even" }?.counts.passed == 4)
    }

    @Test func failingAnExpectOrFailThrowsNamingTheExpectationAndRow() throws {
        let items = table([.expectOrFail("small") { $0.value < 100 }])
        let ledger = ExpectationLedger()
        #expect(throws: PipelineError.expectationFailed(table: "items", expectation: "small", row: "n500")) {
            try items.run([1, 500, 2], ledger: ledger, describe: \.name)
        }
        #expect(ledger.entries.first?.counts == ExpectationCounts(passed: 1, failed: 1, dropped: 0))
    }

    @Test func sqlTimeIsSQLiteText() {
        #expect(SQLTime.text(unixSeconds: 0) == "1970-01-01 00:00:00.000")
        #expect(SQLTime.text(unixSeconds: 1_597_615_349) == "2020-08-16 22:02:29.000")
        #expect(SQLTime.text(unixMilliseconds: 951_782_400_123) == "2000-02-29 00:00:00.123")
        #expect(SQLTime.text(unixSeconds: -1) == "1969-12-31 23:59:59.000")
    }
}
