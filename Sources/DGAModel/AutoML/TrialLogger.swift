import Foundation
import Tracking

/// Records a trial as a child run: params, per-round and final metrics, and the model files.
struct TrialLogger {
    let tracking: AutoMLTracking

    /// Artifact directory of a trial's model, as in `runs:/<trial run id>/model`.
    static let modelPath = "model"

    /// Logs `trial` as a child of the AutoML run, or, for a retraining, as a top-level run
    /// tagged with the trial it retrains.
    func log(_ trial: TrialRecord, number: Int, featurizerJSON: Data, fingerprint: String,
             scalePosWeight: Double, hashBuckets: Int, dataSummary: TrialNotebook.DataSummary, retrainedFrom: String? = nil) throws -> String {
        let configuration = trial.configuration
        let store = tracking.store
        var tags = ["automl.trial": String(number), "automl.algorithm": configuration.algorithm.rawValue]
        if let retrainedFrom { tags["automl.retrained_from"] = retrainedFrom }
        let parent = retrainedFrom == nil ? tracking.parentRunID : nil
        let run = try store.createRun(experimentID: tracking.experimentID,
                                      name: retrainedFrom == nil ? "trial-\(number)-\(configuration.algorithm.rawValue)" : "retrain-trial-\(number)-\(configuration.algorithm.rawValue)",
                                      parentRunID: parent, jobRunID: tracking.jobRunID, taskKey: tracking.taskKey,
                                      tags: tags, startTime: trial.outcome?.startTime)
        var params = configuration.params
        if configuration.algorithm != .linear { params["scale_pos_weight"] = String(format: "%.4g", configuration.scalePosWeight(classRatio: scalePosWeight)) }
        guard let outcome = trial.outcome else {
            try store.logBatch(runID: run.runID, params: params, tags: ["automl.error": String((trial.error ?? "failed").prefix(4000))])
            try store.endRun(run.runID, status: .failed)
            return run.runID
        }
        var metrics: [Metric] = []
        for round in outcome.history {
            for (set, prefix) in [(Booster.trainingSetName, "train_"), (Booster.validationSetName, "val_")] {
                for (name, value) in round.values[set] ?? [:] {
                    metrics.append(Metric(key: prefix + name, value: value, step: round.iteration))
                }
            }
        }
        for (name, value) in outcome.validation.namedMetrics { metrics.append(Metric(key: "val_" + name + "_final", value: value)) }
        metrics.append(Metric(key: "duration_seconds", value: outcome.durationSeconds))
        metrics.append(Metric(key: "rounds_trained", value: Double(outcome.roundsTrained)))
        metrics.append(Metric(key: "best_iteration", value: Double(outcome.bestIteration)))
        try store.logBatch(runID: run.runID, params: params, metrics: metrics)

        let manifest = ModelManifest(
            algorithm: configuration.algorithm,
            input: configuration.algorithm.usesHashedNGrams ? ModelManifest.hashedInput : ModelManifest.denseInput,
            features: Featurizer.names(of: AutoMLDataset.denseFeatures),
            hashBuckets: configuration.algorithm.usesHashedNGrams ? hashBuckets : 0,
            threshold: outcome.validation.threshold, featurizerFingerprint: fingerprint, params: params)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try store.writeArtifact(runID: run.runID, data: outcome.modelJSON, artifactPath: "\(Self.modelPath)/\(ModelManifest.modelFileName)")
        try store.writeArtifact(runID: run.runID, data: featurizerJSON, artifactPath: "\(Self.modelPath)/\(ModelManifest.featurizerFileName)")
        try store.writeArtifact(runID: run.runID, data: try encoder.encode(manifest), artifactPath: "\(Self.modelPath)/\(ModelManifest.fileName)")
        let notebook = TrialNotebook.markdown(number: number, runID: run.runID, parentRunID: parent, outcome: outcome, params: params,
                                              data: dataSummary, retrainedFrom: retrainedFrom)
        try store.writeArtifact(runID: run.runID, data: Data(notebook.utf8), artifactPath: TrialNotebook.artifactPath)
        try store.endRun(run.runID, status: .finished)
        return run.runID
    }
}

extension AutoMLTracking {
    /// Logs a retrained trial as a new top-level run in this experiment, tagged
    /// `automl.retrained_from` = `originalRunID`, with the same params, metrics, model files and
    /// notebook a trial gets. Returns the new run's id.
    public func logRetraining(_ record: TrialRecord, originalRunID: String, featurizerJSON: Data, fingerprint: String,
                              data: AutoMLDataset, seed: UInt64) throws -> String {
        try TrialLogger(tracking: self).log(record, number: record.number, featurizerJSON: featurizerJSON, fingerprint: fingerprint,
                                            scalePosWeight: data.scalePosWeight, hashBuckets: data.featurizer.configuration.hashing.bucketCount,
                                            dataSummary: TrialNotebook.DataSummary(data, seed: seed, fingerprint: fingerprint),
                                            retrainedFrom: originalRunID)
    }
}
