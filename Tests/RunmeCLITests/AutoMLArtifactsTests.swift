import DGAModel
import Foundation
import TestSupport
import Testing
import Tracking

/// Step 02's artifacts (trial notebooks, summary, exploration, explanation, held-out
/// evaluation), `runme trials retrain` and `runme bench train`, on a slice of the shared data:
/// the first 3,000 popular domains against the whole DGA list, with a short search.
@Suite(.serialized) struct AutoMLArtifactsTests {
    let directory: TemporaryDirectory
    let storePath: String
    let dataPath: String

    init() throws {
        directory = try TemporaryDirectory("automl-artifacts")
        storePath = directory.file("store").path
        // The shared data, linked file by file, except a shorter popular list (a fast featurizer).
        let data = directory.file("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: TestPaths.sharedData.path) where name != "alexa_100k.txt" {
            try FileManager.default.createSymbolicLink(at: data.appendingPathComponent(name), withDestinationURL: TestPaths.sharedData.appendingPathComponent(name))
        }
        let alexa = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        try (alexa.split(separator: "\n").prefix(3001).joined(separator: "\n") + "\n").write(to: data.appendingPathComponent("alexa_100k.txt"), atomically: true, encoding: .utf8)
        dataPath = data.path
    }

    func runme(_ arguments: [String], timeout: TimeInterval = 300) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments, workingDirectory: TestPaths.packageRoot, timeout: timeout)
    }

    func text(_ store: TrackingStore, _ runID: String, _ path: String) throws -> String {
        try String(contentsOf: store.artifactDirectory(runID: runID).appendingPathComponent(path), encoding: .utf8)
    }

    @Test func artifactsMatchTheStoreAndRetrainReproducesATrial() throws {
        let run = try runme(["run", "--store", storePath, "--param", "data=\(dataPath)",
                             "--param", "automl_timeout_minutes=0.2", "--param", "automl_max_trials=4",
                             "--param", "automl_out_of_fold_folds=2", "--param", "automl_word_dga_examples=200",
                             "--param", "automl_word_dga_weight=0.5",
                             "--param", "automl_final_model_cost_tolerance=0.05"])
        try #require(run.status == 0, "\(run.stderr)")
        let store = try TrackingStore.openReadOnly(at: URL(fileURLWithPath: storePath))
        let automl = try #require(try store.runs(jobRunID: 1, taskKey: "02_automl").first)
        let allChildren = try store.childRuns(of: automl.runID)
        // Four trials and the final model (the best configuration refitted), which is no trial.
        let children = try allChildren.filter { try store.tags(runID: $0.runID)["automl.trial"] != nil }
        #expect(children.count == 4)
        #expect(allChildren.count == 5)

        // The summary lists exactly the child runs, with their numbers and primary metric.
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let summary = try decoder.decode(AutoMLSummary.self, from: Data(text(store, automl.runID, AutoMLReports.summaryJSONPath).utf8))
        #expect(summary.trialCount == children.count)
        #expect(Set(summary.trials.compactMap(\.runID)) == Set(children.map(\.runID)))
        for trial in summary.trials {
            let runID = try #require(trial.runID)
            #expect(try store.tags(runID: runID)["automl.trial"] == String(trial.number))
            #expect(try store.latestMetrics(runID: runID)["val_f1_final"]?.value == trial.primaryValue)
            let stored = try store.params(runID: runID)
            var expected = trial.params
            expected["scale_pos_weight"] = stored["scale_pos_weight"]  // logged beside the search's params for tree models
            #expect(stored == expected)
            let notebook = try text(store, runID, TrialNotebook.artifactPath)
            #expect(notebook.contains("# Trial \(trial.number): \(trial.algorithm)"))
            #expect(notebook.contains("runme trials retrain \(runID)"))
            #expect(notebook.contains("| `char_lm_gain` |"))
            #expect(notebook.contains("The training rows include 200 synthetic word-built ioc labels (`word_dga_examples`), each weighing 0.5 of a real ioc row"))
        }
        let values = summary.trials.compactMap(\.primaryValue)
        #expect(values == values.sorted(by: >), "trials are sorted best first")
        #expect(summary.bestTrial?.runID == (try store.params(runID: automl.runID))["best_trial_run_id"])
        #expect(summary.stoppedByBudget == ((try store.params(runID: automl.runID))["stopped_by_budget"] == "true"))
        #expect(summary.metricDistribution.count == values.count && summary.metricDistribution.max == values.first)
        #expect(try text(store, automl.runID, AutoMLReports.summaryMarkdownPath).contains("| 1 | \(summary.trials[0].number) |"))

        // The final model: refitted on train + validation, threshold out of fold, registered.
        let parentParams = try store.params(runID: automl.runID)
        let finalRunID = try #require(parentParams["final_model_run_id"])
        let finalModel = try #require(summary.finalModel)
        #expect(finalModel.runID == finalRunID)
        // The refitted trial is one of the candidates, the search's best first among them.
        #expect(try store.tags(runID: finalRunID)["automl.refit_of"] == summary.trials.first { $0.number == finalModel.trial }?.runID)
        #expect(finalModel.candidates.first?.trial == summary.bestTrial?.number)
        #expect(finalModel.candidates.contains { $0.trial == finalModel.trial })
        #expect(parentParams["final_threshold_source"] == "out_of_fold_train_validation")
        // The cost tolerance reached the choice: of the candidates within 5% of the best
        // out-of-fold error, the one with the fewest split tests per prediction was kept.
        #expect(parentParams["final_model_cost_tolerance"] == "0.05" && parentParams["final_cost_tolerance"] == "0.05")
        let bestError = try #require(finalModel.candidates.map { 1 - $0.outOfFoldScore }.min())
        let eligible = finalModel.candidates.filter { 1 - $0.outOfFoldScore <= bestError * 1.05 }
        let cheapest = try #require(eligible.min { ($0.splitTests ?? .infinity) < ($1.splitTests ?? .infinity) })
        #expect(finalModel.trial == cheapest.trial, "\(finalModel.candidates)")
        #expect(try store.latestMetrics(runID: automl.runID)["final_split_tests"]?.value == cheapest.splitTests)
        #expect(parentParams["final_model"] == "refit_train_validation")
        let parentMetrics = try store.latestMetrics(runID: automl.runID)
        #expect(parentParams["final_training_rows"] == String(finalModel.trainingRows))
        // Train + validation is 80% of the rows (the stratified split rounds per class), plus
        // the synthetic word-built training rows (the job parameter reached the trainer and is
        // logged as a param of the AutoML run).
        let trainingRows = try #require(parentMetrics["training.rows"]).value
        let synthetic = try #require(parentParams["word_dga_examples"].flatMap { Int($0) })
        #expect(synthetic == 200)
        // Their weight reached the trainer too (and `trials retrain` below reads it back: a
        // retrain that weighed them 1 would not reproduce the trial's model).
        #expect(parentParams["word_dga_weight"] == "0.5")
        #expect(abs(Double(finalModel.trainingRows - synthetic) - 0.8 * trainingRows) <= 2)
        #expect(parentMetrics["final_threshold"]?.value == finalModel.threshold)
        #expect(parentMetrics["test_f1"] != nil && parentMetrics["best_trial_test_f1"] != nil)
        let registered = try store.modelVersion(name: "dns_dga", version: Int64(try #require(parentMetrics["registered_version"]).value))
        #expect(registered.runID == finalRunID)
        let bundle = try ModelBundle(directory: store.resolve(uri: "models:/dns_dga/\(registered.version)"))
        #expect(bundle.manifest.threshold == finalModel.threshold)
        #expect(try text(store, automl.runID, AutoMLReports.summaryMarkdownPath).contains("## Final model"))
        #expect(try text(store, finalRunID, TrialNotebook.artifactPath).contains("# Final model: trial \(finalModel.trial) refitted"))

        // Exploration counts match the training rows the task logged.
        let metrics = try store.latestMetrics(runID: automl.runID)
        let rows = Int(try #require(metrics["training.rows"]).value)
        let ioc = Int(try #require(metrics["training.ioc_rows"]).value)
        let exploration = try text(store, automl.runID, AutoMLReports.explorationPath)
        #expect(exploration.contains("| legit | \(rows - ioc) |") && exploration.contains("| ioc | \(ioc) |"))
        #expect(exploration.contains("## Label length") && exploration.contains("## Shannon entropy"))
        #expect(exploration.contains("Training also holds \(synthetic) synthetic word-built ioc labels"))

        // The final model's importance and SHAP.
        let importance = try #require(try JSONSerialization.jsonObject(with: Data(text(store, automl.runID, AutoMLReports.importancePath).utf8)) as? [[String: String]])
        #expect(!importance.isEmpty)
        let shap = try text(store, automl.runID, AutoMLReports.shapPath).split(separator: "\n")
        #expect(shap.first?.hasPrefix("label,class,probability,") == true && shap.count > 100)
        // They explain the model handed on: the final model, whichever candidate it refitted.
        #expect(try text(store, automl.runID, AutoMLReports.explanationPath).contains("# Final model: trial \(finalModel.trial) ("))
        // The held-out evaluation (Debian package homepages and generated DGA families).
        #expect(try text(store, automl.runID, AutoMLReports.heldOutPath).contains("| suppobox | yes |"))
        #expect(metrics["heldout_roc_auc"] != nil)

        // Retraining the best trial logs a new top-level run with the same params and figures.
        let best = try #require(summary.bestTrial?.runID)
        // Named by its id as the report's table shows it, cut to 12 characters.
        let retrain = try runme(["trials", "retrain", String(best.prefix(12)), "--store", storePath, "--json"])
        try #require(retrain.status == 0, "\(retrain.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(retrain.stdout.utf8)) as? [String: Any])
        let newRunID = try #require(output["runID"] as? String)
        #expect(output["sameFeaturizer"] as? Bool == true)
        let after = try TrackingStore.openReadOnly(at: URL(fileURLWithPath: storePath))
        let info = try after.runInfo(id: newRunID)
        #expect(info.parentRunID == nil && info.experimentID == automl.experimentID)
        #expect(try after.tags(runID: newRunID)["automl.retrained_from"] == best)
        #expect(try after.params(runID: newRunID) == (try after.params(runID: best)))
        for name in ["val_f1_final", "val_roc_auc_final", "val_log_loss_final", "rounds_trained"] {
            #expect(try after.latestMetrics(runID: newRunID)[name]?.value == (try after.latestMetrics(runID: best))[name]?.value, "\(name)")
        }
        #expect(try text(after, newRunID, TrialNotebook.artifactPath).contains("a retraining of trial run `\(best)`"))
        #expect(FileManager.default.fileExists(atPath: try after.artifactDirectory(runID: newRunID).appendingPathComponent("model/model.json").path))

        // A run that is not a trial is refused with exit 2.
        let refused = try runme(["trials", "retrain", automl.runID, "--store", storePath])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("algorithm"))

        // A weight that is not above 0 fails the step before any training, naming the job parameter.
        let weightless = try runme(["run", "--store", storePath, "--task", "02_automl", "--param", "automl_word_dga_weight=0"])
        #expect(weightless.status == 1)
        #expect((weightless.stdout + weightless.stderr).contains("parameter 'word_dga_weight' is '0' (the job parameter automl_word_dga_weight)"),
                "\(weightless.stdout)\n\(weightless.stderr)")
    }

    @Test func benchTrainPrintsItsFigures() throws {
        let result = try runme(["bench", "train", "--data", dataPath, "--minutes", "0.05", "--max-trials", "3",
                                "--held-out-per-family", "5", "--dir", directory.url.path, "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let byName = Dictionary(figures.compactMap { figure in (figure["name"] as? String).map { ($0, figure["value"] as? Double ?? .nan) } }) { a, _ in a }
        #expect(byName["trials"].map { (1...3).contains(Int($0)) } == true)
        #expect((byName["trials per minute"] ?? 0) > 0)
        #expect(byName.keys.contains { $0.hasPrefix("time to the best trial (#") })
        for name in ["test ROC AUC", "test F1 (ioc)", "held-out ROC AUC"] {
            #expect(byName[name].map { $0 > 0.5 && $0 <= 1 } == true, "\(name)")
        }
        #expect(byName.keys.contains { $0.hasPrefix("held-out legit flagged (") })
        #expect(byName["held-out suppobox caught"] != nil)
        #expect(byName["synthetic word-built ioc rows in training"] == Double(AutoMLDataset.defaultWordDGAExamples))
        #expect(byName["weight of a synthetic row"] == AutoMLDataset.defaultWordDGAWeight)
        // The options reach the benchmark's training part.
        let on = try runme(["bench", "train", "--data", dataPath, "--minutes", "0.1", "--max-trials", "3",
                            "--held-out-per-family", "5", "--word-dga-examples", "50", "--word-dga-weight", "0.5",
                            "--dir", directory.url.path, "--json"])
        try #require(on.status == 0, "\(on.stderr)")
        let onFigures = try #require(try JSONSerialization.jsonObject(with: Data(on.stdout.utf8)) as? [[String: Any]])
        #expect(onFigures.first { $0["name"] as? String == "synthetic word-built ioc rows in training" }?["value"] as? Double == 50)
        #expect(onFigures.first { $0["name"] as? String == "weight of a synthetic row" }?["value"] as? Double == 0.5)
        let refused = try runme(["bench", "train", "--word-dga-examples=-1"])
        #expect(refused.status != 0 && refused.stderr.contains("--word-dga-examples"))
        let weightless = try runme(["bench", "train", "--word-dga-weight", "0"])
        #expect(weightless.status != 0 && weightless.stderr.contains("--word-dga-weight must be above 0"))
        // The scratch store is removed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).allSatisfy { !$0.hasPrefix("runme-bench-train-") })
    }
}
