import Foundation
import Tracking

extension AutoMLTracking {
    /// Tag on the final model's run, naming the trial run it refits.
    public static let refitOfTag = "automl.refit_of"

    /// Logs the final model as a child run of the AutoML run, named `final-refit-trial-N-…` and
    /// tagged `automl.refit_of` = the best trial's run (it carries no `automl.trial` tag, so
    /// reports do not count it as a trial): the trial's params plus how it was refitted, the
    /// out-of-fold metrics (`oof_*`), the model files under `model/` (the manifest holds the
    /// out-of-fold threshold) and `notebook.md`. Returns the run's id, which is what gets
    /// registered.
    public func logFinalModel(_ model: FinalModel, data: AutoMLDataset, seed: UInt64) throws -> String {
        let configuration = model.trial.configuration
        var tags = ["automl.algorithm": configuration.algorithm.rawValue, "automl.final_model": "true"]
        if let trialRun = model.trial.runID { tags[Self.refitOfTag] = trialRun }
        let run = try store.createRun(experimentID: experimentID,
                                      name: "final-refit-trial-\(model.trial.number)-\(configuration.algorithm.rawValue)",
                                      parentRunID: parentRunID, jobRunID: jobRunID, taskKey: taskKey, tags: tags)
        var params = configuration.params.merging(model.params) { _, refit in refit }
        params["seed"] = String(seed)
        if configuration.algorithm != .linear {
            params["scale_pos_weight"] = String(format: "%.4g", configuration.scalePosWeight(classRatio: data.scalePosWeight))
        }
        var metrics = model.outOfFold.namedMetrics.map { Metric(key: "oof_" + $0.key, value: $0.value) }
        metrics += [Metric(key: "refit_seconds", value: model.seconds), Metric(key: "training_rows", value: Double(model.trainingRows))]
        try store.logBatch(runID: run.runID, params: params, metrics: metrics)

        let fingerprint = try data.featurizer.fingerprint()
        let manifest = ModelManifest(
            algorithm: configuration.algorithm,
            input: configuration.algorithm.usesHashedNGrams ? ModelManifest.hashedInput : ModelManifest.denseInput,
            features: Featurizer.names(of: AutoMLDataset.denseFeatures),
            hashBuckets: configuration.algorithm.usesHashedNGrams ? data.featurizer.configuration.hashing.bucketCount : 0,
            threshold: model.threshold, featurizerFingerprint: fingerprint, params: params)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let directory = TrialLogger.modelPath
        try store.writeArtifact(runID: run.runID, data: model.modelJSON, artifactPath: "\(directory)/\(ModelManifest.modelFileName)")
        try store.writeArtifact(runID: run.runID, data: try data.featurizer.jsonData(), artifactPath: "\(directory)/\(ModelManifest.featurizerFileName)")
        try store.writeArtifact(runID: run.runID, data: try encoder.encode(manifest), artifactPath: "\(directory)/\(ModelManifest.fileName)")
        try store.writeArtifact(runID: run.runID, data: Data(Self.finalModelNotebook(model, runID: run.runID, params: params).utf8),
                                artifactPath: TrialNotebook.artifactPath)
        try store.endRun(run.runID, status: .finished)
        return run.runID
    }

    static func finalModelNotebook(_ model: FinalModel, runID: String, params: [String: String]) -> String {
        var lines = ["# Final model: trial \(model.trial.number) refitted", "",
                     "Run `\(runID)`, a child of the AutoML run. Score with it: `runme score --model runs:/\(runID)/model DOMAIN…`. "
                     + "The trial itself retrains with `runme trials retrain \(model.trial.runID ?? "RUN_ID")` (on the training split only).", "",
                     model.markdown(),
                     "| out-of-fold metric | value |", "| --- | --- |"]
        for (name, value) in model.outOfFold.namedMetrics.sorted(by: { $0.key < $1.key }) {
            lines.append("| \(name) | \(String(format: "%.4f", value)) |")
        }
        lines += ["", "| param | value |", "| --- | --- |"] + params.keys.sorted().map { "| `\($0)` | \(params[$0] ?? "") |" }
        return lines.joined(separator: "\n") + "\n"
    }
}
