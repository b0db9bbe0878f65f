import Alerts
import Foundation
import TestSupport
import Testing
import Tracking

@Suite("Alert queries and states", .serialized)
struct QueryTests {
    func alert(_ name: String, _ query: String, condition: String = #"{"column": "n", "op": ">", "threshold": 0}"#, options: String = "{}") throws -> AlertDefinition {
        let json = #"{"name": "\#(name)", "query": \#(String(decoding: try JSONSerialization.data(withJSONObject: query, options: .fragmentsAllowed), as: UTF8.self)), "condition": \#(condition), "options": \#(options), "destinations": [{"type": "stdout"}]}"#
        return try #require(try AlertDefinitionLoader.parse(json: json, source: "test").first)
    }

    @Test("The blog's alert triggers on the shared sample's Agent Tesla IoC, and the other alerts run when one query fails")
    func triggersAndIsolatesFailures() async throws {
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let alerts = try AlertFixture.defaultDefinitions() + [
            try alert("broken", "select n from no_such_table"),
            try alert("writer", "delete from dns_log_analytics"),
            try alert("temp_writer", "create temp table t as select 1 as n"),
            try alert("empty", "select 1 as n where 0"),
        ]
        let evaluations = try await fixture.evaluator().evaluate(alerts)
        let byName = Dictionary(uniqueKeysWithValues: evaluations.map { ($0.alert, $0) })
        #expect(byName["dns_ioc_count"]?.state == .triggered)
        #expect(byName["dns_ioc_count"]?.value == "1")
        #expect(byName["dns_ioc_rows"]?.state == .triggered)
        #expect(byName["broken"]?.state == .unknown)
        #expect(byName["broken"]?.reason.contains("no such table: no_such_table") == true)
        #expect(byName["writer"]?.state == .unknown)
        #expect(byName["writer"]?.reason.contains("writes") == true)
        #expect(byName["temp_writer"]?.reason.contains("writes") == true)
        #expect(byName["empty"]?.reason == "the query returned no rows")
        // The refused writes changed nothing.
        #expect(try fixture.lakehouse.scalar("select count(*) from dns_log_analytics")?.int64Value == 3)
        // The stdout destination printed the rows alert with the IoC.
        #expect(fixture.printed.text.contains("ns1.asdklgb.cf."))
        #expect(fixture.printed.text.contains("Alert \"dns_ioc_rows\" changed status to TRIGGERED"))
        let states = try fixture.store.alertStates()
        #expect(states.count == 6)
        #expect(states.first { $0.alertName == "broken" }?.state == "UNKNOWN")
    }

    @Test("A query past its time limit is stopped and the alert is UNKNOWN")
    func timeLimit() async throws {
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let endless = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) as n from r"
        let start = ContinuousClock.now
        let evaluations = try await fixture.evaluator().evaluate([try alert("endless", endless, options: #"{"query_timeout_seconds": 0.3}"#)])
        let elapsed = ContinuousClock.now - start
        #expect(evaluations.first?.state == .unknown)
        #expect(evaluations.first?.reason.contains("time limit") == true)
        // Loose bound: the query would run forever without the limit.
        #expect(elapsed < .seconds(20))
    }

    @Test("States persist between runs: no second notification while TRIGGERED; retrigger_seconds re-notifies; every evaluation is a history row")
    func statesAndHistory() async throws {
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let standing = try alert("standing", "select count(*) as n from dns_log_analytics where class = 'ioc'")
        let repeating = try alert("repeating", "select count(*) as n from dns_log_analytics where class = 'ioc'", options: #"{"retrigger_seconds": 0.001}"#)
        let first = try await fixture.evaluator(jobRunID: 7).evaluate([standing, repeating])
        #expect(first.map(\.notified) == [true, true])
        try await Task.sleep(for: .milliseconds(20))
        let second = try await fixture.evaluator(jobRunID: 8).evaluate([standing, repeating])
        #expect(second.map(\.state) == [.triggered, .triggered])
        #expect(second[0].notified == false && second[0].deliveries.isEmpty)
        #expect(second[1].notified == true)
        let history = try fixture.store.alertHistory(name: "standing")
        #expect(history.map(\.jobRunID) == [8, 7])
        #expect(history.map(\.previousState) == ["TRIGGERED", nil])
        #expect(history.map(\.notified) == [false, true])
        #expect(history[1].deliveriesJSON.contains(#""outcome":"sent""#))
        #expect(history[1].threshold == "0" && history[1].value == "1")
        let state = try #require(try fixture.store.alertState(name: "standing"))
        #expect(state.since == history[1].evaluatedAt)
        #expect(state.lastNotified == history[1].evaluatedAt)
    }
}
