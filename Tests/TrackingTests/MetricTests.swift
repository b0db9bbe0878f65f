import Foundation
import Testing
@testable import Tracking

@Suite("Metrics")
struct MetricTests {
    @Test("history is ordered by step then timestamp; latest is the last point of that order")
    func historyAndLatest() throws {
        try withRun { store, run in
            let t = Date(timeIntervalSince1970: 1_700_000_000.5)
            try store.logMetric(runID: run.runID, key: "loss", value: 0.3, step: 2, timestamp: t.addingTimeInterval(10))
            try store.logMetric(runID: run.runID, key: "loss", value: 0.9, step: 0, timestamp: t)
            try store.logMetric(runID: run.runID, key: "loss", value: 0.6, step: 1, timestamp: t.addingTimeInterval(1))
            try store.logMetric(runID: run.runID, key: "loss", value: 0.4, step: 2, timestamp: t.addingTimeInterval(5))
            let history = try store.metricHistory(runID: run.runID, key: "loss")
            #expect(history.map(\.step) == [0, 1, 2, 2])
            #expect(history.map(\.value) == [0.9, 0.6, 0.4, 0.3])
            #expect(history.map(\.timestamp) == [t, t.addingTimeInterval(1), t.addingTimeInterval(5), t.addingTimeInterval(10)])
            #expect(try store.latestMetrics(runID: run.runID)["loss"] == Metric(key: "loss", value: 0.3, step: 2, timestamp: t.addingTimeInterval(10)))

            // An older step logged later, even with a newer timestamp, is not the latest.
            try store.logMetric(runID: run.runID, key: "loss", value: 0.1, step: 1, timestamp: t.addingTimeInterval(100))
            #expect(try store.latestMetrics(runID: run.runID)["loss"]?.value == 0.3)
            // A higher step is.
            try store.logMetric(runID: run.runID, key: "loss", value: 0.2, step: 3, timestamp: t)
            #expect(try store.latestMetrics(runID: run.runID)["loss"]?.step == 3)
            #expect(try store.metricHistory(runID: run.runID, key: "loss").last == store.latestMetrics(runID: run.runID)["loss"])

            // Exact ties on step and timestamp keep both values; the larger one is the latest.
            try store.logMetric(runID: run.runID, key: "tie", value: 2, step: 0, timestamp: t)
            try store.logMetric(runID: run.runID, key: "tie", value: 1, step: 0, timestamp: t)
            #expect(try store.metricHistory(runID: run.runID, key: "tie").map(\.value) == [1, 2])
            #expect(try store.latestMetrics(runID: run.runID)["tie"]?.value == 2)

            // An identical point is kept once, as in MLflow.
            try store.logMetric(runID: run.runID, key: "tie", value: 2, step: 0, timestamp: t)
            #expect(try store.metricHistory(runID: run.runID, key: "tie").count == 2)

            #expect(try store.metricHistory(runID: run.runID, key: "unknown").isEmpty)
            #expect(Set(try store.latestMetrics(runID: run.runID).keys) == ["loss", "tie"])
        }
    }

    @Test("default step is 0 and default timestamp is now")
    func defaults() throws {
        try withRun { store, run in
            let before = Date()
            try store.logMetric(runID: run.runID, key: "x", value: 1)
            let point = try #require(store.metricHistory(runID: run.runID, key: "x").first)
            #expect(point.step == 0)
            #expect(point.timestamp >= before.addingTimeInterval(-0.001))
            #expect(point.timestamp <= Date().addingTimeInterval(0.001))
        }
    }

    @Test("NaN and infinities round-trip (NaN is stored as a flag, not as NULL)")
    func nanAndInfinity() throws {
        try withRun { store, run in
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            try store.logMetric(runID: run.runID, key: "v", value: 0, step: 0, timestamp: t)
            try store.logMetric(runID: run.runID, key: "v", value: .nan, step: 0, timestamp: t)
            try store.logMetric(runID: run.runID, key: "v", value: .infinity, step: 1, timestamp: t)
            try store.logMetric(runID: run.runID, key: "v", value: -.infinity, step: 2, timestamp: t)
            try store.logMetric(runID: run.runID, key: "v", value: .nan, step: 3, timestamp: t)
            let values = try store.metricHistory(runID: run.runID, key: "v").map(\.value)
            #expect(values.count == 5)
            #expect(values[0] == 0 && values[0].sign == .plus)
            #expect(values[1].isNaN)
            #expect(values[2] == .infinity)
            #expect(values[3] == -.infinity)
            #expect(values[4].isNaN)
            #expect(try store.latestMetrics(runID: run.runID)["v"]?.value.isNaN == true)

            try store.logBatch(runID: run.runID, metrics: [Metric(key: "w", value: .nan, step: 9, timestamp: t)])
            #expect(try store.latestMetrics(runID: run.runID)["w"]?.value.isNaN == true)
            #expect(try Metric(key: "w", value: .nan, step: 9, timestamp: t) == store.metricHistory(runID: run.runID, key: "w")[0])
        }
    }

    @Test("a large batch lands whole and in order")
    func largeBatch() throws {
        try withRun { store, run in
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let points = (0..<20_000).reversed().map { Metric(key: "loss", value: Double($0) / 10, step: $0, timestamp: t) }
            try store.logBatch(runID: run.runID, metrics: points)
            let history = try store.metricHistory(runID: run.runID, key: "loss")
            #expect(history.count == 20_000)
            #expect(history.map(\.step) == Array(0..<20_000))
            #expect(try store.latestMetrics(runID: run.runID)["loss"]?.step == 19_999)
        }
    }
}
