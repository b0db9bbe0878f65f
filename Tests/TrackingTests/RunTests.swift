import Foundation
import Testing
@testable import Tracking

@Suite("Experiments and runs")
struct ExperimentAndRunTests {
    @Test("experiments: unique names, get-or-create, lookup, tags, listing with run counts")
    func experiments() throws {
        try withStore { store in
            let first = try store.createExperiment(name: "dns", tags: ["team": "sec"])
            #expect(first.name == "dns")
            #expect(first.tags == ["team": "sec"])
            #expect(first.artifactLocation == store.artifactRoot.appendingPathComponent("\(first.id)", isDirectory: true))
            #expect(throws: TrackingError.experimentAlreadyExists(name: "dns")) { try store.createExperiment(name: "dns") }
            #expect(throws: TrackingError.self) { try store.createExperiment(name: "  ") }

            #expect(try store.getOrCreateExperiment(named: "dns") == first)
            let second = try store.getOrCreateExperiment(named: "other")
            #expect(second.id != first.id)
            #expect(try store.experiment(named: "missing") == nil)
            #expect(try store.experiment(id: 999) == nil)
            #expect(try store.experiment(id: first.id) == first)

            try store.setExperimentTag(experimentID: second.id, key: "owner", value: "me")
            #expect(try store.experiment(id: second.id)?.tags == ["owner": "me"])
            #expect(throws: TrackingError.experimentNotFound(id: 999)) { try store.setExperimentTag(experimentID: 999, key: "k", value: "v") }

            let start = Date(timeIntervalSince1970: 1_700_000_000)
            try store.createRun(experimentID: first.id, startTime: start)
            try store.createRun(experimentID: first.id, startTime: start.addingTimeInterval(60))
            let listing = try store.experiments()
            #expect(listing.map(\.experiment.name) == ["dns", "other"])
            #expect(listing[0].runCount == 2)
            #expect(listing[0].lastRunTime == start.addingTimeInterval(60))
            #expect(listing[1].runCount == 0)
            #expect(listing[1].lastRunTime == nil)
            #expect(listing[1].experiment.tags == ["owner": "me"])
        }
    }

    @Test("runs: ids, status, end, nesting, job links, listings")
    func runs() throws {
        try withStore { store in
            let experiment = try store.createExperiment(name: "e")
            let start = Date(timeIntervalSince1970: 1_700_000_000.25)
            let parent = try store.createRun(experimentID: experiment.id, name: "tuning", jobRunID: 7, taskKey: "train",
                                             tags: ["mlflow.source.name": "job"], startTime: start)
            #expect(parent.runID.count == 32)
            #expect(parent.runID.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(parent.status == .running)
            #expect(parent.endTime == nil)
            #expect(parent.jobRunID == 7)
            #expect(parent.taskKey == "train")
            #expect(try store.runInfo(id: parent.runID) == parent)

            let trials = try (0..<3).map { index in
                try store.createRun(experimentID: experiment.id, name: "trial-\(index)", parentRunID: parent.runID,
                                    startTime: start.addingTimeInterval(Double(index + 1)))
            }
            #expect(Set(trials.map(\.runID)).count == 3)
            #expect(try store.childRuns(of: parent.runID).map(\.runID) == trials.map(\.runID))
            #expect(try store.runs(experimentID: experiment.id, parentRunID: parent.runID).map(\.runID) == trials.reversed().map(\.runID))
            #expect(try store.runs(experimentID: experiment.id).first?.runID == trials[2].runID)
            #expect(try store.runs(experimentID: experiment.id, limit: 2).count == 2)
            #expect(try store.runs().count == 4)
            #expect(try store.runs(jobRunID: 7).map(\.runID) == [parent.runID])
            #expect(try store.runs(jobRunID: 7, taskKey: "other").isEmpty)
            #expect(throws: TrackingError.self) { try store.runs(limit: -1) }

            let unnamed = try store.createRun(experimentID: experiment.id)
            #expect(unnamed.name == "run-\(unnamed.runID.prefix(8))")

            let end = start.addingTimeInterval(30)
            try store.endRun(parent.runID, status: .failed, endTime: end)
            let ended = try store.runInfo(id: parent.runID)
            #expect(ended.status == .failed)
            #expect(ended.endTime == end)
            #expect(ended.startTime == start)
            try store.endRun(parent.runID)
            #expect(try store.runInfo(id: parent.runID).status == .finished)
            #expect(throws: TrackingError.self) { try store.endRun(parent.runID, status: .running) }

            let run = try store.run(id: parent.runID)
            #expect(run.data.tags == ["mlflow.source.name": "job"])
            #expect(run.data.params.isEmpty)
            #expect(run.data.metrics.isEmpty)
        }
    }

    @Test("unknown runs, parents and experiments give typed errors")
    func unknowns() throws {
        try withRun { store, run in
            let missing = "ffffffffffffffffffffffffffffffff"
            #expect(throws: TrackingError.experimentNotFound(id: 42)) { try store.createRun(experimentID: 42) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.createRun(experimentID: run.experimentID, parentRunID: missing) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.endRun(missing) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.run(id: missing) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.logParam(runID: missing, key: "k", value: "v") }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.logMetric(runID: missing, key: "k", value: 1) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.setTag(runID: missing, key: "k", value: "v") }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.logBatch(runID: missing, params: ["k": "v"]) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.metricHistory(runID: missing, key: "k") }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.params(runID: missing) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.tags(runID: missing) }
            #expect(throws: TrackingError.runNotFound(runID: missing)) { try store.latestMetrics(runID: missing) }
            let description = "\(TrackingError.runNotFound(runID: missing))"
            #expect(description.contains(missing))
        }
    }
}

@Suite("Run ids by prefix")
struct RunIDPrefixTests {
    /// Reports show run ids cut to 12 characters; commands that take an id accept such a cut
    /// when only one run's id starts with it.
    @Test("a unique prefix of 6 or more names its run; a shorter, shared or unknown one is refused")
    func prefixes() throws {
        try withStore { store in
            let experiment = try store.createExperiment(name: "test")
            let ids = try (0..<3).map { _ in try store.createRun(experimentID: experiment.id).runID }
            // Ids are random: give two of them a common start, as a store with many runs has.
            let shared = ["abcdef0123456789abcdef0123456789", "abcdef01ffffffffffffffffffffffff"]
            try store.write { db in
                for (old, new) in zip(ids, shared) { try db.execute("UPDATE runs SET run_id = ? WHERE run_id = ?", [new, old]) }
            }
            let other = ids[2]
            #expect(try store.runID(matching: other) == other)
            #expect(try store.runID(matching: String(other.prefix(12))) == other)
            #expect(try store.runID(matching: String(other.prefix(6))) == other)
            #expect(throws: TrackingError.runNotFound(runID: String(other.prefix(5)))) { try store.runID(matching: String(other.prefix(5))) }
            #expect(try store.runID(matching: "abcdef012") == shared[0])
            #expect(try store.runID(matching: "abcdef01f") == shared[1])
            #expect(throws: TrackingError.ambiguousRunID(prefix: "abcdef01", matches: shared)) { try store.runID(matching: "abcdef01") }
            #expect("\(TrackingError.ambiguousRunID(prefix: "abcdef01", matches: shared))"
                == "more than one run's id starts with 'abcdef01' (\(shared[0]), \(shared[1])); give more of the id.")
            #expect(throws: TrackingError.runNotFound(runID: "0123456789")) { try store.runID(matching: "0123456789") }
            // Upper case is not a prefix of a lower-case id, as ids are compared exactly elsewhere.
            #expect(throws: TrackingError.runNotFound(runID: "ABCDEF012")) { try store.runID(matching: "ABCDEF012") }
        }
    }
}

@Suite("Params, tags and batches")
struct ParamTagBatchTests {
    @Test("params are immutable: same value accepted, different value refused with details")
    func paramImmutability() throws {
        try withRun { store, run in
            try store.logParam(runID: run.runID, key: "lr", value: "0.1")
            try store.logParam(runID: run.runID, key: "lr", value: "0.1")
            let error = #expect(throws: TrackingError.self) { try store.logParam(runID: run.runID, key: "lr", value: "0.2") }
            #expect(error == .paramConflict(runID: run.runID, key: "lr", oldValue: "0.1", newValue: "0.2"))
            let message = error.map { "\($0)" } ?? ""
            for part in [run.runID, "lr", "0.1", "0.2", "immutable"] {
                #expect(message.contains(part), "message lacks \(part): \(message)")
            }
            #expect(try store.params(runID: run.runID) == ["lr": "0.1"])
        }
    }

    @Test("keys and values are validated with MLflow's limits")
    func validation() throws {
        try withRun { store, run in
            #expect(throws: TrackingError.invalidKey(kind: "parameter", key: "", reason: "it is empty")) {
                try store.logParam(runID: run.runID, key: "", value: "v")
            }
            let longKey = String(repeating: "k", count: 251)
            let keyError = #expect(throws: TrackingError.self) { try store.logParam(runID: run.runID, key: longKey, value: "v") }
            guard case .invalidKey(kind: "parameter", key: longKey, _)? = keyError else {
                Issue.record("expected invalidKey, got \(String(describing: keyError))")
                return
            }
            try store.logParam(runID: run.runID, key: String(repeating: "k", count: 250), value: "v")
            // 250 characters that take 500 bytes are within the limit: it counts characters.
            try store.logParam(runID: run.runID, key: String(repeating: "é", count: 250), value: "v")
            #expect(throws: TrackingError.self) { try store.logMetric(runID: run.runID, key: "a\nb", value: 1) }
            #expect(throws: TrackingError.self) { try store.setTag(runID: run.runID, key: "", value: "v") }

            try store.logParam(runID: run.runID, key: "max", value: String(repeating: "x", count: 6000))
            try store.logParam(runID: run.runID, key: "wide", value: String(repeating: "é", count: 6000))
            #expect(throws: TrackingError.valueTooLong(kind: "parameter", key: "big", length: 6001, limit: 6000)) {
                try store.logParam(runID: run.runID, key: "big", value: String(repeating: "x", count: 6001))
            }
            try store.setTag(runID: run.runID, key: "note", value: String(repeating: "x", count: 8000))
            #expect(throws: TrackingError.valueTooLong(kind: "tag", key: "note", length: 8001, limit: 8000)) {
                try store.setTag(runID: run.runID, key: "note", value: String(repeating: "x", count: 8001))
            }
            #expect(try store.params(runID: run.runID)["big"] == nil)
        }
    }

    @Test("tags: set, replace, system tags, delete")
    func tags() throws {
        try withRun { store, run in
            try store.setTag(runID: run.runID, key: "stage", value: "dev")
            try store.setTag(runID: run.runID, key: "stage", value: "prod")
            try store.setTag(runID: run.runID, key: "mlflow.note.content", value: "a note")
            #expect(try store.tags(runID: run.runID) == ["stage": "prod", "mlflow.note.content": "a note"])
            #expect(try store.deleteTag(runID: run.runID, key: "stage"))
            #expect(try !store.deleteTag(runID: run.runID, key: "stage"))
            #expect(try store.tags(runID: run.runID) == ["mlflow.note.content": "a note"])
        }
    }

    @Test("logBatch writes params, metrics and tags together")
    func batch() throws {
        try withRun { store, run in
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let metrics = [
                Metric(key: "loss", value: 0.5, step: 2, timestamp: t),
                Metric(key: "loss", value: 0.9, step: 0, timestamp: t),
                Metric(key: "acc", value: 0.1, step: 0, timestamp: t),
                Metric(key: "loss", value: 0.7, step: 1, timestamp: t),
                Metric(key: "acc", value: 0.8, step: 5, timestamp: t),
                Metric(key: "loss", value: 0.4, step: 2, timestamp: t.addingTimeInterval(1)),
                Metric(key: "acc", value: 0.3, step: 1, timestamp: t),
            ]
            try store.logBatch(runID: run.runID, params: ["lr": "0.1", "depth": "6"], metrics: metrics, tags: ["t": "1"])
            let data = try store.run(id: run.runID).data
            #expect(data.params == ["lr": "0.1", "depth": "6"])
            #expect(data.tags == ["t": "1"])
            #expect(data.metrics["loss"] == Metric(key: "loss", value: 0.4, step: 2, timestamp: t.addingTimeInterval(1)))
            #expect(data.metrics["acc"] == Metric(key: "acc", value: 0.8, step: 5, timestamp: t))
            #expect(try store.metricHistory(runID: run.runID, key: "loss").map(\.value) == [0.9, 0.7, 0.5, 0.4])
            // A later single log that precedes the batch's latest does not displace it.
            try store.logMetric(runID: run.runID, key: "acc", value: 0.2, step: 4, timestamp: t)
            #expect(try store.latestMetrics(runID: run.runID)["acc"]?.value == 0.8)
        }
    }

    @Test("logBatch is atomic: a conflicting param means nothing is written")
    func batchAtomicity() throws {
        try withRun { store, run in
            try store.logParam(runID: run.runID, key: "lr", value: "0.1")
            let error = #expect(throws: TrackingError.self) {
                try store.logBatch(
                    runID: run.runID,
                    params: ["depth": "6", "lr": "0.2", "seed": "1"],
                    metrics: (0..<100).map { Metric(key: "loss", value: Double($0), step: $0) },
                    tags: ["t": "1"]
                )
            }
            #expect(error == .paramConflict(runID: run.runID, key: "lr", oldValue: "0.1", newValue: "0.2"))
            #expect(try store.params(runID: run.runID) == ["lr": "0.1"])
            #expect(try store.metricHistory(runID: run.runID, key: "loss").isEmpty)
            #expect(try store.latestMetrics(runID: run.runID).isEmpty)
            #expect(try store.tags(runID: run.runID).isEmpty)

            // An invalid entry is refused before anything is written, too.
            #expect(throws: TrackingError.self) {
                try store.logBatch(runID: run.runID, params: ["ok": "1"], metrics: [Metric(key: "", value: 1)])
            }
            #expect(try store.params(runID: run.runID) == ["lr": "0.1"])

            // The same value again inside a batch is fine.
            try store.logBatch(runID: run.runID, params: ["lr": "0.1", "depth": "6"])
            #expect(try store.params(runID: run.runID) == ["lr": "0.1", "depth": "6"])
        }
    }

    @Test("a write nested in the module's write helper rolls back with it")
    func nestedWriteRollback() throws {
        try withRun { store, run in
            struct Abort: Error {}
            var innerID = ""
            #expect(throws: Abort.self) {
                try store.write { _ in
                    let inner = try store.createRun(experimentID: run.experimentID, name: "inner")
                    innerID = inner.runID
                    try store.logMetric(runID: inner.runID, key: "loss", value: 1)
                    throw Abort()
                }
            }
            #expect(try store.runs().map(\.runID) == [run.runID])
            #expect(throws: TrackingError.runNotFound(runID: innerID)) { try store.logMetric(runID: innerID, key: "loss", value: 1) }
            // The rolled-back run's number is reused by the next run; its values must not be
            // mixed up with the rolled-back run (the run_seq cache must not keep it).
            let next = try store.createRun(experimentID: run.experimentID, name: "next")
            try store.logMetric(runID: next.runID, key: "acc", value: 2)
            #expect(try store.latestMetrics(runID: next.runID).keys.sorted() == ["acc"])
        }
    }
}
