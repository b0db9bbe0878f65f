import Alerts
import Foundation
import Testing

@Suite("Alert conditions")
struct ConditionTests {
    /// The scores of a small result, with a NULL and a text column.
    let result = QueryResult(
        columns: ["domain", "score", "threat"],
        rows: [
            [.text("ns1.asdklgb.cf."), .number(0.9), .text("malware_download")],
            [.text("xjkqwhzpq.net"), .number(0.7), .null],
            [.text("ns1.asdklgb.cf."), .number(0.2), .text("malware_download")],
            [.text("abcdefgh.ru"), .number(0.4), .null],
        ])

    func value(_ aggregation: AlertCondition.Aggregation?, _ column: String) -> AlertCondition.Value? {
        switch AlertCondition(column: column, aggregation: aggregation, op: .isNull, threshold: nil).evaluate(result) {
        case .met(let v), .notMet(let v): return v
        case .unknown: return nil
        }
    }

    @Test("Aggregations over all rows, NULLs left out as SQL does")
    func aggregations() throws {
        #expect(value(.count, "threat") == .number(2))
        #expect(value(.countDistinct, "domain") == .number(3))
        #expect(value(.sum, "score") == .number(0.9 + 0.7 + 0.2 + 0.4))
        #expect(value(.min, "score") == .number(0.2))
        #expect(value(.max, "score") == .number(0.9))
        let average = try #require(value(.avg, "score")?.description).prefix(4)
        #expect(average == "0.55")
        #expect(value(.median, "score") == .number((0.4 + 0.7) / 2))
        // Sample standard deviation of 0.9, 0.7, 0.2, 0.4: sqrt(0.2900 / 3).
        if case .number(let sd)? = value(.stddev, "score") {
            #expect(abs(sd - (0.29 / 3).squareRoot()) < 1e-12)
        } else {
            Issue.record("STDDEV gave no number")
        }
        #expect(value(nil, "domain") == .text("ns1.asdklgb.cf."))
    }

    @Test("Operators on numbers and text; IS NULL; a threshold compares numerically when both sides are numbers")
    func operators() {
        func holds(_ op: AlertCondition.Operator, _ threshold: AlertCondition.Value?, column: String = "score", aggregation: AlertCondition.Aggregation? = nil) -> Bool? {
            switch AlertCondition(column: column, aggregation: aggregation, op: op, threshold: threshold).evaluate(result) {
            case .met: return true
            case .notMet: return false
            case .unknown: return nil
            }
        }
        #expect(holds(.greater, .number(0.5)) == true)
        #expect(holds(.greater, .number(0.9)) == false)
        #expect(holds(.greaterOrEqual, .number(0.9)) == true)
        #expect(holds(.less, .number(1)) == true)
        #expect(holds(.lessOrEqual, .number(0.8)) == false)
        #expect(holds(.equal, .text("0.9")) == true)
        #expect(holds(.notEqual, .number(0.9)) == false)
        // COUNT is 4: below "10" as numbers, although "4" > "10" as text.
        #expect(holds(.greater, .text("10"), column: "score", aggregation: .count) == false)
        #expect(holds(.equal, .text("ns1.asdklgb.cf."), column: "domain") == true)
        #expect(holds(.isNull, nil, column: "threat") == false)
        #expect(holds(.isNull, nil, column: "threat", aggregation: .max) == nil)
    }

    @Test("No rows, a missing column or a NULL compared with a threshold: UNKNOWN with the reason")
    func unknown() {
        let empty = QueryResult(columns: ["ioc_count"], rows: [])
        #expect(AlertCondition(column: "ioc_count", op: .greater, threshold: .number(0)).evaluate(empty) == .unknown("the query returned no rows"))
        // An aggregation over no rows is still a value: COUNT is 0, so the alert is OK.
        #expect(AlertCondition(column: "ioc_count", aggregation: .count, op: .greater, threshold: .number(0)).evaluate(empty) == .notMet(.number(0)))
        guard case .unknown(let missing) = AlertCondition(column: "nope", op: .greater, threshold: .number(0)).evaluate(result) else {
            Issue.record("a missing column must be UNKNOWN")
            return
        }
        #expect(missing.contains("no column 'nope'") && missing.contains("domain, score, threat"))
        let nullRow = QueryResult(columns: ["x"], rows: [[.null]])
        guard case .unknown(let null) = AlertCondition(column: "x", op: .greater, threshold: .number(0)).evaluate(nullRow) else {
            Issue.record("NULL > 0 must be UNKNOWN")
            return
        }
        #expect(null.contains("IS NULL"))
        #expect(AlertCondition(column: "x", op: .isNull, threshold: nil).evaluate(nullRow) == .met(.null))
        guard case .unknown(let text) = AlertCondition(column: "domain", aggregation: .sum, op: .greater, threshold: .number(0)).evaluate(result) else {
            Issue.record("SUM of text must be UNKNOWN")
            return
        }
        #expect(text.contains("needs numbers"))
    }
}
