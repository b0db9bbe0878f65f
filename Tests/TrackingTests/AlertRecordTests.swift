import Foundation
import Testing
import Tracking

@Suite("Alert states and history")
struct AlertRecordTests {
    @Test("An evaluation appends history and replaces the standing state in one step; history reads newest first")
    func recordAndRead() throws {
        try withStore { store in
            #expect(try store.alertState(name: "dns_ioc_count") == nil)
            let t0 = Date(timeIntervalSince1970: 1_760_000_000.25)
            let t1 = t0.addingTimeInterval(3600)
            let first = AlertHistoryRecord(alertName: "dns_ioc_count", jobRunID: 4, evaluatedAt: t0, state: "TRIGGERED",
                                           previousState: nil, value: "1", threshold: "0", reason: "ioc_count = 1: ioc_count > 0 holds",
                                           notified: true, deliveriesJSON: #"[{"destination":"stdout","kind":"stdout","outcome":"sent","attempts":1}]"#)
            let id = try store.recordAlertEvaluation(first, state: AlertStateRecord(
                alertName: "dns_ioc_count", state: "TRIGGERED", value: "1", since: t0, lastEvaluated: t0, lastNotified: t0))
            var second = first
            second.evaluatedAt = t1
            second.jobRunID = nil
            second.previousState = "TRIGGERED"
            second.notified = false
            second.deliveriesJSON = "[]"
            let next = try store.recordAlertEvaluation(second, state: AlertStateRecord(
                alertName: "dns_ioc_count", state: "TRIGGERED", value: "1", since: t0, lastEvaluated: t1, lastNotified: t0))
            #expect(next > id)
            let state = try #require(try store.alertState(name: "dns_ioc_count"))
            #expect(state == AlertStateRecord(alertName: "dns_ioc_count", state: "TRIGGERED", value: "1", since: t0, lastEvaluated: t1, lastNotified: t0))
            let history = try store.alertHistory(name: "dns_ioc_count")
            #expect(history.map(\.evaluationID) == [next, id])
            #expect(history[1].deliveriesJSON == first.deliveriesJSON && history[1].jobRunID == 4 && history[1].notified)
            #expect(history[0].jobRunID == nil && history[0].previousState == "TRIGGERED")
            #expect(try store.alertHistory(name: "other").isEmpty)
            #expect(try store.alertHistory(limit: 1).count == 1)
            #expect(try store.alertStates().map(\.alertName) == ["dns_ioc_count"])
        }
    }

    @Test("A history row with another alert's state is refused, and a read-only store cannot record")
    func refusals() throws {
        try withStore { store in
            let now = Date()
            let record = AlertHistoryRecord(alertName: "a", jobRunID: nil, evaluatedAt: now, state: "OK", previousState: nil,
                                            value: "0", threshold: "0", reason: "", notified: false, deliveriesJSON: "[]")
            #expect(throws: TrackingError.self) {
                try store.recordAlertEvaluation(record, state: AlertStateRecord(alertName: "b", state: "OK", value: nil, since: now, lastEvaluated: now, lastNotified: nil))
            }
            #expect(try store.alertHistory().isEmpty)
            let readOnly = try TrackingStore.openReadOnly(at: store.directory)
            #expect(throws: TrackingError.readOnlyStore(directory: store.directory.path)) {
                try readOnly.recordAlertEvaluation(record, state: AlertStateRecord(alertName: "a", state: "OK", value: nil, since: now, lastEvaluated: now, lastNotified: nil))
            }
        }
    }
}
