import Foundation
import Tracking

/// Runs made through the tracking API that stress the export: histories longer than one
/// log-batch request, more params and tags than one request takes, NaN and infinite values,
/// runs still running or failed, nesting three levels deep, artifact paths with spaces and
/// nested folders, and a model with two versions and two aliases.
enum EdgeCaseStore {
    struct Made {
        var experiment: Experiment
        var longRun: RunInfo
        var runningRun: RunInfo
        var child: RunInfo
        var grandchild: RunInfo
        var modelName: String
    }

    static func populate(_ store: TrackingStore, experimentName: String, modelName: String) throws -> Made {
        let experiment = try store.createExperiment(name: experimentName, tags: ["team": "dns", "purpose": "export edge cases"])
        let base = Date(timeIntervalSince1970: 1_760_000_000.25)

        let long = try store.createRun(experimentID: experiment.id, name: "long history ✓", tags: ["kind": "long"], startTime: base)
        var params: [String: String] = [:]
        for index in 0..<150 { params["param_\(index)"] = "value \(index) " + String(repeating: "x", count: index % 40) }
        var tags: [String: String] = [:]
        for index in 0..<120 { tags["tag_\(index)"] = "tag value \(index)" }
        var metrics: [Metric] = []
        for step in 0..<2500 {
            metrics.append(Metric(key: "loss", value: 1.0 / Double(step + 1), step: step, timestamp: base.addingTimeInterval(Double(step) * 0.01)))
        }
        metrics.append(Metric(key: "odd", value: .nan, step: 0, timestamp: base))
        metrics.append(Metric(key: "odd", value: .infinity, step: 1, timestamp: base))
        metrics.append(Metric(key: "odd", value: -.infinity, step: 2, timestamp: base))
        metrics.append(Metric(key: "odd", value: -0.5, step: 3, timestamp: base))
        // Two points at one step and time with different values: MLflow keeps both.
        metrics.append(Metric(key: "twin", value: 1, step: 5, timestamp: base))
        metrics.append(Metric(key: "twin", value: 2, step: 5, timestamp: base))
        try store.logBatch(runID: long.runID, params: params, metrics: metrics, tags: tags)
        try store.writeArtifact(runID: long.runID, data: Data("a report with a space in its name\n".utf8), artifactPath: "reports/summary one.txt")
        var generator = SplitMix(seed: 7)
        let blob = Data((0..<300_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        try store.writeArtifact(runID: long.runID, data: blob, artifactPath: "nested/deeper/data.bin")
        try store.endRun(long.runID, status: .finished, endTime: base.addingTimeInterval(60))

        let child = try store.createRun(experimentID: experiment.id, name: "child", parentRunID: long.runID, startTime: base.addingTimeInterval(1))
        try store.logMetric(runID: child.runID, key: "score", value: 0.75, step: 0, timestamp: base.addingTimeInterval(2))
        try store.writeArtifact(runID: child.runID, data: Data("{\"model\": true}".utf8), artifactPath: "model/model.json")
        try store.endRun(child.runID, status: .failed, endTime: base.addingTimeInterval(3))

        let grandchild = try store.createRun(experimentID: experiment.id, name: "grandchild", parentRunID: child.runID, startTime: base.addingTimeInterval(2))
        try store.logParam(runID: grandchild.runID, key: "depth", value: "2")
        try store.writeArtifact(runID: grandchild.runID, data: Data("{\"model\": 2}".utf8), artifactPath: "model/model.json")
        try store.endRun(grandchild.runID, status: .killed, endTime: base.addingTimeInterval(4))

        let running = try store.createRun(experimentID: experiment.id, name: "still running", startTime: base.addingTimeInterval(10))
        try store.logMetric(runID: running.runID, key: "progress", value: 0.5, step: 1, timestamp: base.addingTimeInterval(11))

        _ = try store.createRegisteredModel(name: modelName, description: "edge case model")
        let first = try store.createModelVersion(name: modelName, source: "runs:/\(child.runID)/model", runID: child.runID, description: "first")
        let second = try store.createModelVersion(name: modelName, source: "runs:/\(grandchild.runID)/model", runID: grandchild.runID, description: "second")
        try store.setAlias(name: modelName, alias: "champion", version: second.version)
        try store.setAlias(name: modelName, alias: "previous", version: first.version)

        return Made(experiment: experiment, longRun: long, runningRun: running, child: child, grandchild: grandchild, modelName: modelName)
    }
}

/// A small deterministic generator for test bytes.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
