import DGAModel
import DNSData
import Foundation
import JobRunner
import Lakehouse
import Tracking

/// Step 02: AutoML classification of DGA domains. Reads `silver_dns_training_dataset`, splits it
/// (stratified, seeded), featurizes, searches three model families under the time budget with
/// every trial a nested run, refits the best trials' configurations on train + validation and keeps
/// the one with the best out-of-fold score (threshold chosen out of fold), reports that final
/// model on the held-out test set, registers it as a version of `dns_dga` (alias `champion` when
/// it beats the current one) and hands the version's URI on as the task value `model_uri`.
let automlStep = Step(
    name: "02_DNS_Analytics_AutoML",
    title: "AutoML classification of DGA domains",
    parameters: [
        ("timeout_minutes", "the search's time budget"),
        ("max_trials", "the most trials the search runs"),
        ("seed", "seed of the split and the search"),
        ("primary_metric", "f1 (default), roc_auc, pr_auc, log_loss, precision or accuracy, on validation"),
        ("dictionary", "the word list the featurizer uses"),
        ("validation_fraction", "share of rows for early stopping and the threshold (default 0.1)"),
        ("test_fraction", "share of rows held out for the final report (default 0.2)"),
        ("out_of_fold_folds", "folds for the training rows' out-of-fold features (default 5)"),
        ("final_model_folds", "folds of the out-of-fold predictions the final model's threshold is chosen on (default 5)"),
        ("final_model_candidates", "the best trials refitted on train + validation; the one with the best out-of-fold score is handed on (default 5)"),
        ("final_model_cost_tolerance", "how much more out-of-fold error (a share: 0.05 = 5%) a candidate may have than the best and still be handed on, when it is cheaper to score; 0 = the best (the default)"),
        ("word_dga_examples", "synthetic word-built DGA labels added to the training part only, from the training half of the dictionary (default \(AutoMLDataset.defaultWordDGAExamples); 0 = off; see RUNME § AutoML figures)"),
        ("word_dga_weight", "what each synthetic word-built row weighs against a real ioc row (default \(AutoMLDataset.defaultWordDGAWeight))"),
        ("public_suffix_list", "the Public Suffix List, for the held-out legit domains' labels"),
        ("etl_run", "the ETL task's summary (a task value)"),
    ]
) { context in
    let (labels, isIOC) = try await context.cell("Training data") { cell in
        let summary = try context.taskValue(task: "01_etl", name: "summary")
        cell.print("01_etl summary (job run \(context.valueSource(of: "01_etl"))): \(summary?.jsonText ?? "not set")")
        let rows = try TrainingRows.read(storeDirectory: context.storeDirectory)
        let ioc = rows.isIOC.filter { $0 }.count
        cell.table(headers: ["class", "rows", "share"], rows: [
            ["legit", "\(rows.labels.count - ioc)", percent(rows.labels.count - ioc, of: rows.labels.count)],
            ["ioc", "\(ioc)", percent(ioc, of: rows.labels.count)],
        ])
        try context.logMetrics(["training.rows": Double(rows.labels.count), "training.ioc_rows": Double(ioc)])
        return (rows.labels, rows.isIOC)
    }

    let settings = try await context.cell("Split") { cell in
        let settings = try AutoMLStepSettings(context)
        cell.table(headers: ["setting", "value"], rows: settings.rows)
        // The runner logged the task's parameters as given ("2", not "2.0"); params are
        // immutable, so only the defaults it did not see are logged here.
        try context.logParams(settings.params.filter { context.parameters[$0.key] == nil })
        return settings
    }

    let (data, words) = try await context.cell("Featurize") { cell in
        let words = try DictionaryWords.load(from: URL(fileURLWithPath: settings.dictionary))
        let data = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: settings.seed,
                                             validationFraction: settings.validationFraction, testFraction: settings.testFraction,
                                             outOfFoldCount: settings.outOfFoldCount, wordDGAExamples: settings.wordDGAExamples,
                                             wordDGAWeight: settings.wordDGAWeight)
        cell.table(headers: ["part", "rows", "ioc"], rows: [
            ["train", "\(data.truth.train.count)", "\(data.truth.train.filter { $0 }.count)"],
            ["validation", "\(data.truth.validation.count)", "\(data.truth.validation.filter { $0 }.count)"],
            ["test", "\(data.truth.test.count)", "\(data.truth.test.filter { $0 }.count)"],
        ])
        if data.syntheticTrainingRows > 0 {
            cell.print("Training holds \(data.syntheticTrainingRows) synthetic word-built ioc labels (word_dga_examples), each weighing "
                       + "\(data.syntheticRowWeight) of a real ioc row (word_dga_weight), besides the real rows; "
                       + "validation and test are the real lists' split only, and the thresholds are chosen on real rows.")
        }
        cell.print("Featurizer fitted on the training split's legit labels and \(words.count) dictionary words; "
                   + "\(AutoMLDataset.denseFeatures.count) dense features, \(data.featurizer.configuration.hashing.bucketCount) n-gram hash buckets. "
                   + "Training rows are featurized out of fold (\(data.outOfFoldCount.map { "\($0) folds" } ?? "off")): each fold with tables fitted on the others. "
                   + "Tree boosters weigh ioc rows by scale_pos_weight = (legit/ioc)^class_weight_power, legit/ioc = \(String(format: "%.3f", data.scalePosWeight)), the power searched in [0, 1].")
        try context.store.writeArtifact(runID: context.trackingRunID, data: Data(AutoMLReports.exploration(data).utf8),
                                        artifactPath: AutoMLReports.explorationPath)
        cell.print("Data exploration: \(AutoMLReports.explorationPath)")
        return (data, words)
    }

    let result = try await context.cell("Search") { cell in
        let run = try context.store.runInfo(id: context.trackingRunID)
        let search = AutoMLSearch(data: data, settings: settings.search,
                                  tracking: AutoMLTracking(store: context.store, experimentID: run.experimentID, parentRunID: context.trackingRunID,
                                                           jobRunID: context.jobRunID, taskKey: context.taskKey))
        let metric = settings.search.primaryMetric
        let result = try await search.run { trial in
            let value = trial.primaryValue.map { String(format: "%.4f", $0) } ?? "failed"
            context.reportProgress("trial \(trial.number)/\(settings.search.maxTrials): \(trial.configuration.algorithm.rawValue) \(metric.rawValue) \(value)")
        }
        context.reportProgress("")
        let sorted = result.trials.sorted { lhs, rhs in
            switch (lhs.primaryValue, rhs.primaryValue) {
            case let (l?, r?): return metric.isBetter(l, than: r)
            case (_?, nil): return true
            default: return false
            }
        }
        cell.table("Trials, best first (\(metric.rawValue) on validation\(metric.usesThreshold ? ", at the threshold with the best validation F1" : ""))",
                   headers: ["trial", "algorithm", "key params", metric.rawValue, "seconds"],
                   rows: sorted.map { trial in
                       [String(trial.number), trial.configuration.algorithm.rawValue, trial.configuration.summary,
                        trial.primaryValue.map { String(format: "%.4f", $0) } ?? "failed: \(trial.error ?? "")",
                        trial.outcome.map { String(format: "%.2f", $0.durationSeconds) } ?? "-"]
                   })
        cell.print("\(result.trials.count) trials in \(String(format: "%.1f", result.elapsedSeconds)) s; "
                   + (result.stoppedByBudget ? "the time budget ended the search." : "the search ended before the time budget."))
        try context.logParams(["best_trial_run_id": result.best.runID ?? "", "best_trial": String(result.best.number),
                               "best_algorithm": result.best.configuration.algorithm.rawValue,
                               "stopped_by_budget": String(result.stoppedByBudget)])
        try context.logMetrics(["trial_count": Double(result.trials.count), "search_seconds": result.elapsedSeconds])
        return result
    }

    let (finalModel, finalRunID) = try await context.cell("Final model: refit on train + validation") { cell in
        // The validation split alone (about 270 ioc rows) picks each trial's threshold, so one
        // row moves F1 by 0.2%: the final model trains on train + validation and takes its
        // threshold from out-of-fold predictions over those rows (see FinalModel).
        let run = try context.store.runInfo(id: context.trackingRunID)
        let model = try FinalModel.select(result, data: data, seed: settings.seed, metric: settings.search.primaryMetric,
                                          folds: settings.finalModelFolds, candidates: settings.finalModelCandidates,
                                          budgetSeconds: settings.search.timeBudgetSeconds * FinalModel.budgetShare,
                                          concurrency: settings.search.concurrency, costTolerance: settings.finalModelCostTolerance)
        let runID = try AutoMLTracking(store: context.store, experimentID: run.experimentID, parentRunID: context.trackingRunID,
                                       jobRunID: context.jobRunID, taskKey: context.taskKey)
            .logFinalModel(model, data: data, seed: settings.seed)
        cell.print(model.markdown().replacingOccurrences(of: "## Final model\n\n", with: ""))
        cell.print("Final model run: \(runID) (runs:/\(runID)/model).")
        try context.logParams(model.params.merging(["final_model_run_id": runID]) { first, _ in first })
        try context.logMetrics(model.metrics)
        return (model, runID)
    }

    let (test, bestTrialTest) = try await context.cell("Final model on the test set") { cell in
        let test = try finalModel.testReport(data: data)
        let bestTrialTest = try result.testReport(data: data)
        cell.table(headers: ["metric", "test, final model", "test, best trial", "validation, best trial"],
                   rows: ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "threshold"].map { name in
            [name, String(format: "%.4f", test.namedMetrics[name] ?? .nan), String(format: "%.4f", bestTrialTest.namedMetrics[name] ?? .nan),
             String(format: "%.4f", result.best.outcome?.validation.namedMetrics[name] ?? .nan)]
        })
        cell.print("The final model (trial \(finalModel.trial.number), \(finalModel.trial.configuration.algorithm.rawValue): \(finalModel.trial.configuration.summary), "
                   + "refitted on \(finalModel.trainingRows) rows) at threshold \(String(format: "%.4f", test.threshold)), chosen out of fold; "
                   + "the best trial as searched (trained on the training split) at its validation threshold beside it.")
        try context.logMetrics(Dictionary(uniqueKeysWithValues: test.namedMetrics.map { ("test_" + $0.key, $0.value) }))
        try context.logMetrics(Dictionary(uniqueKeysWithValues: bestTrialTest.namedMetrics.map { ("best_trial_test_" + $0.key, $0.value) }))
        // Curves, confusion matrices and feature importance of the best trials for `runme report`.
        let evaluation = try TestSetEvaluation.evaluate(result, data: data, metric: settings.search.primaryMetric)
        _ = try context.writeArtifact(try evaluation.jsonData(), as: TestSetEvaluation.artifactPath)
        cell.print("Test-set curves of the \(evaluation.trials.count) best trials: artifact \(TestSetEvaluation.artifactPath).")
        return (test, bestTrialTest)
    }

    let heldOut: HeldOutReport? = try await context.cell("Held-out domains") { cell in
        // Names in neither training list: Debian package homepages and DGA families the list
        // lacks. A machine without package records still trains; the transcript says why the
        // evaluation is missing.
        do {
            let suffixes = try PublicSuffixList(path: context.parameters["public_suffix_list"] ?? PublicSuffixList.debianPath)
            let set = try HeldOutDomains.heldOutSet(trainingLabels: Set(data.labels), dictionaryWords: words, suffixes: suffixes)
            let report = try finalModel.heldOutReport(data: data, heldOut: set)
            cell.print(report.markdown())
            try context.logMetrics(report.metrics)
            try context.store.writeArtifact(runID: context.trackingRunID, data: Data(("# Held-out evaluation\n\n" + report.markdown()).utf8),
                                            artifactPath: AutoMLReports.heldOutPath)
            return report
        } catch {
            cell.print("No held-out evaluation: \(error)")
            try context.store.setTag(runID: context.trackingRunID, key: "automl.heldout_error", value: String("\(error)".prefix(4000)))
            return nil
        }
    }

    try await context.cell("Summary and explanation") { cell in
        let summary = AutoMLReports.summary(result, settings: settings.search, test: test, heldOut: heldOut, finalModel: finalModel,
                                            finalModelRunID: finalRunID, bestTrialTest: bestTrialTest)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // An undefined figure (precision with nothing flagged) is written as the string "NaN".
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        try context.store.writeArtifact(runID: context.trackingRunID, data: encoder.encode(summary), artifactPath: AutoMLReports.summaryJSONPath)
        try context.store.writeArtifact(runID: context.trackingRunID, data: Data(summary.markdown().utf8), artifactPath: AutoMLReports.summaryMarkdownPath)
        // The model handed on is explained: the final model (the chosen trial's configuration refitted).
        guard let outcome = finalModel.explainedOutcome ?? result.best.outcome else { return }
        let importance = try AutoMLReports.importance(of: outcome, hashBuckets: data.featurizer.configuration.hashing.bucketCount)
        let shap = try AutoMLReports.shap(of: outcome, data: data)
        try context.store.writeArtifact(runID: context.trackingRunID,
                                        data: encoder.encode(importance.map { ["feature": $0.feature, "score": String($0.score)] }),
                                        artifactPath: AutoMLReports.importancePath)
        try context.store.writeArtifact(runID: context.trackingRunID, data: Data(shap.csv.utf8), artifactPath: AutoMLReports.shapPath)
        try context.store.writeArtifact(runID: context.trackingRunID,
                                        data: Data(AutoMLReports.explanationMarkdown(trial: finalModel.trial, importance: importance,
                                                                                     meanAbsoluteSHAP: shap.meanAbsolute,
                                                                                     sampleRows: min(500, data.split.test.count)).utf8),
                                        artifactPath: AutoMLReports.explanationPath)
        cell.table("Final model: mean absolute SHAP on test rows (log-odds)", headers: ["input", "mean |SHAP|"],
                   rows: shap.meanAbsolute.prefix(10).map { [$0.0, String(format: "%.4f", $0.1)] })
        cell.print("Artifacts: \(AutoMLReports.summaryMarkdownPath), \(AutoMLReports.summaryJSONPath), \(AutoMLReports.explorationPath), "
                   + "\(AutoMLReports.importancePath), \(AutoMLReports.shapPath), \(AutoMLReports.explanationPath); "
                   + "each trial run has notebook.md.")
    }

    let registration = try await context.cell("Register") { cell in
        let outcome = try ModelRegistration.register(store: context.store, trialRunID: finalRunID, candidateTest: test, data: data,
                                                     metric: settings.search.primaryMetric,
                                                     description: "AutoML trial \(finalModel.trial.number) refitted on train + validation")
        let metric = settings.search.primaryMetric.rawValue
        cell.table(headers: ["model", "test \(metric)"], rows: [
            ["\(ModelRegistration.modelName) version \(outcome.version) (new)", String(format: "%.4f", outcome.candidateScore)],
            [outcome.previousChampion.map { "\(ModelRegistration.modelName) version \($0) (champion)" } ?? "no champion yet",
             outcome.championScore.map { String(format: "%.4f", $0) } ?? (outcome.championError.map { "not scored: \($0)" } ?? "-")],
        ])
        cell.print(outcome.tookAlias ? "Version \(outcome.version) is now @\(ModelRegistration.championAlias)."
                                     : "The champion keeps @\(ModelRegistration.championAlias): version \(outcome.version) does not beat it on this test set.")
        var metrics = ["registered_version": Double(outcome.version), "candidate_test_score": outcome.candidateScore]
        if let score = outcome.championScore { metrics["champion_test_score"] = score }
        try context.logMetrics(metrics)
        try context.logParams(["champion_decision": outcome.tookAlias ? "promoted" : "kept_previous",
                               "previous_champion_version": outcome.previousChampion.map(String.init) ?? "none"])
        return outcome
    }

    try await context.cell("Hand over") { cell in
        let uri = "models:/\(ModelRegistration.modelName)/\(registration.version)"
        try context.setTaskValue("model_uri", uri)
        cell.print("model_uri = \(uri)")
    }
}

private func percent(_ part: Int, of whole: Int) -> String {
    whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
}
