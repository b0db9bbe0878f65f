import Foundation
import Testing
@testable import Tracking

/// Two `TrackingStore` instances on one directory have two SQLite connections, as two
/// processes would; each is driven from its own thread.
@Suite("Two connections on one store")
struct ConcurrencyTests {
    @Test("concurrent logging from two connections loses nothing")
    func concurrentLogging() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            let first = try TrackingStore.open(at: directory)
            let second = try TrackingStore.open(at: directory)
            let experiment = try first.getOrCreateExperiment(named: "shared")
            #expect(try second.getOrCreateExperiment(named: "shared").id == experiment.id)
            let runA = try first.createRun(experimentID: experiment.id, name: "a")
            let runB = try second.createRun(experimentID: experiment.id, name: "b")
            let points = 2_000
            let runsEach = 300

            let errors = runConcurrently([first, second].enumerated().map { index, store in
                let runID = index == 0 ? runA.runID : runB.runID
                return { @Sendable in
                    for step in 0..<points {
                        try store.logMetric(runID: runID, key: "loss", value: Double(step), step: step)
                        if step % 100 == 0 {
                            // Interleave runs with the metrics so that both kinds of write contend.
                            for offset in 0..<(runsEach / (points / 100)) {
                                let run = try store.createRun(experimentID: experiment.id, name: "w\(index)-\(step)-\(offset)")
                                try store.logParam(runID: run.runID, key: "writer", value: "\(index)")
                                try store.endRun(run.runID)
                            }
                        }
                    }
                }
            })
            #expect(errors.isEmpty, "\(errors)")

            for (store, run) in [(first, runA), (second, runB), (first, runB), (second, runA)] {
                let history = try store.metricHistory(runID: run.runID, key: "loss")
                #expect(history.map(\.step) == Array(0..<points))
                #expect(try store.latestMetrics(runID: run.runID)["loss"]?.step == points - 1)
            }
            let runs = try first.runs(experimentID: experiment.id)
            #expect(runs.count == 2 + 2 * runsEach)
            let workers = runs.filter { $0.name.hasPrefix("w") }
            #expect(workers.allSatisfy { $0.status == .finished })
            var writers: [String: Int] = [:]
            for run in workers {
                writers[try second.params(runID: run.runID)["writer"] ?? "?", default: 0] += 1
            }
            #expect(writers == ["0": runsEach, "1": runsEach])
            #expect(try first.experiments().first?.runCount == 2 + 2 * runsEach)
        }
    }

    @Test("two connections registering versions of one model never get the same number")
    func concurrentModelVersions() throws {
        try withTemporaryDirectory { root in
            let directory = root.appendingPathComponent("store")
            let first = try TrackingStore.open(at: directory)
            let second = try TrackingStore.open(at: directory)
            try first.createRegisteredModel(name: "m")
            let each = 60
            let errors = runConcurrently([first, second].map { store in
                { @Sendable in
                    for index in 0..<each { try store.createModelVersion(name: "m", source: "/models/\(index)") }
                }
            })
            #expect(errors.isEmpty, "\(errors)")
            let versions = try first.modelVersions(name: "m").map(\.version)
            #expect(versions == Array(1...Int64(2 * each)))
        }
    }

    @Test("a writer waits for another connection's transaction instead of failing")
    func busyWriterWaits() throws {
        try withRun { store, run in
            let other = try TrackingStore.open(at: store.directory)
            let started = DispatchSemaphore(value: 0)
            let waited = ErrorBox()
            let errors = runConcurrently([
                {
                    try store.write { _ in
                        started.signal()
                        Thread.sleep(forTimeInterval: 0.4)
                    }
                },
                {
                    started.wait()
                    let begin = Date()
                    try other.logMetric(runID: run.runID, key: "after-wait", value: 1)
                    if Date().timeIntervalSince(begin) < 0.2 {
                        waited.append(TrackingError.invalidArgument("the second writer did not wait for the lock"))
                    }
                },
            ])
            #expect(errors.isEmpty, "\(errors)")
            #expect(waited.errors.isEmpty, "\(waited.errors)")
            #expect(try store.latestMetrics(runID: run.runID)["after-wait"]?.value == 1)
        }
    }

    @Test("one store shared by several threads serialises its calls")
    func sharedInstance() throws {
        try withRun { store, run throws in
            let errors = runConcurrently((0..<4).map { thread in
                { @Sendable in
                    for step in 0..<250 {
                        try store.logMetric(runID: run.runID, key: "t\(thread)", value: Double(step), step: step)
                    }
                }
            })
            #expect(errors.isEmpty, "\(errors)")
            for thread in 0..<4 {
                let key = "t\(thread)"
                #expect(try store.metricHistory(runID: run.runID, key: key).count == 250)
            }
        }
    }
}
