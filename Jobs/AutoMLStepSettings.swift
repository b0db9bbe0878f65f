import DGAModel
import Foundation
import JobRunner

/// Step 02's parameters, checked: the search settings and the split fractions.
struct AutoMLStepSettings: Sendable {
    let search: AutoMLSettings
    let seed: UInt64
    let validationFraction: Double
    let testFraction: Double
    let dictionary: String
    /// Folds of the training rows' out-of-fold features.
    let outOfFoldCount: Int
    /// Folds of the out-of-fold predictions the final model's threshold is chosen on.
    let finalModelFolds: Int
    /// The best trials refitted for the final model's choice.
    let finalModelCandidates: Int
    /// Synthetic word-built ioc rows added to the training part (0: none).
    let wordDGAExamples: Int
    /// What each synthetic row weighs against a real ioc row.
    let wordDGAWeight: Double
    /// How much more out-of-fold error a cheaper final-model candidate may have (0: the best).
    let finalModelCostTolerance: Double

    init(_ context: StepContext) throws {
        let timeout = try context.doubleParameter("timeout_minutes")
        let trials = try context.intParameter("max_trials")
        let seed = try context.intParameter("seed")
        let metricName = (try? context.parameter("primary_metric")) ?? PrimaryMetric.f1.rawValue
        guard timeout > 0 else { throw context.badParameter("timeout_minutes", value: "\(timeout)", expected: "a value above 0") }
        guard trials > 0 else { throw context.badParameter("max_trials", value: "\(trials)", expected: "a value above 0") }
        guard let metric = PrimaryMetric(rawValue: metricName) else {
            throw context.badParameter("primary_metric", value: metricName,
                                         expected: PrimaryMetric.allCases.map(\.rawValue).joined(separator: ", "))
        }
        validationFraction = context.parameters["validation_fraction"] == nil ? 0.1 : try context.doubleParameter("validation_fraction")
        testFraction = context.parameters["test_fraction"] == nil ? 0.2 : try context.doubleParameter("test_fraction")
        guard validationFraction > 0, testFraction > 0, validationFraction + testFraction < 1 else {
            throw context.badParameter("validation_fraction/test_fraction",
                                         value: "\(validationFraction)/\(testFraction)", expected: "both above 0 and summing to below 1")
        }
        dictionary = context.parameters["dictionary"] ?? DictionaryWords.defaultPath
        outOfFoldCount = context.parameters["out_of_fold_folds"] == nil ? OutOfFoldFeatures.defaultFoldCount
            : try context.intParameter("out_of_fold_folds")
        guard outOfFoldCount >= 2 else {
            throw context.badParameter("out_of_fold_folds", value: "\(outOfFoldCount)", expected: "2 or more")
        }
        finalModelFolds = context.parameters["final_model_folds"] == nil ? FinalModel.defaultFolds
            : try context.intParameter("final_model_folds")
        guard finalModelFolds >= 2 else {
            throw context.badParameter("final_model_folds", value: "\(finalModelFolds)", expected: "2 or more")
        }
        finalModelCandidates = context.parameters["final_model_candidates"] == nil ? FinalModel.defaultCandidates
            : try context.intParameter("final_model_candidates")
        guard finalModelCandidates >= 1 else {
            throw context.badParameter("final_model_candidates", value: "\(finalModelCandidates)", expected: "1 or more")
        }
        wordDGAExamples = context.parameters["word_dga_examples"] == nil ? AutoMLDataset.defaultWordDGAExamples
            : try context.intParameter("word_dga_examples")
        guard wordDGAExamples >= 0 else {
            throw context.badParameter("word_dga_examples", value: "\(wordDGAExamples)", expected: "0 (off) or more")
        }
        let weight = (context.parameters["word_dga_weight"] ?? "").trimmingCharacters(in: .whitespaces)
        wordDGAWeight = weight.isEmpty ? AutoMLDataset.defaultWordDGAWeight : try context.doubleParameter("word_dga_weight")
        guard wordDGAWeight > 0, wordDGAWeight.isFinite else {
            throw context.badParameter("word_dga_weight", value: weight, expected: "a value above 0 (1 = a real ioc row's weight)")
        }
        let tolerance = (context.parameters["final_model_cost_tolerance"] ?? "").trimmingCharacters(in: .whitespaces)
        finalModelCostTolerance = tolerance.isEmpty ? 0 : try context.doubleParameter("final_model_cost_tolerance")
        guard finalModelCostTolerance >= 0, finalModelCostTolerance.isFinite else {
            throw context.badParameter("final_model_cost_tolerance", value: "\(finalModelCostTolerance)", expected: "0 (keep the best) or more, e.g. 0.05")
        }
        self.seed = UInt64(truncatingIfNeeded: seed)
        search = AutoMLSettings(timeBudgetSeconds: timeout * 60, maxTrials: trials, primaryMetric: metric, seed: self.seed)
    }

    var rows: [[String]] {
        [["timeout_minutes", String(search.timeBudgetSeconds / 60)], ["max_trials", "\(search.maxTrials)"],
         ["primary_metric", search.primaryMetric.rawValue], ["seed", "\(seed)"],
         ["split train/validation/test", String(format: "%.2f/%.2f/%.2f (stratified)", 1 - validationFraction - testFraction, validationFraction, testFraction)],
         ["trials at once", "\(search.concurrency) (1 XGBoost thread each)"],
         ["out_of_fold_folds", "\(outOfFoldCount) (training features out of fold)"],
         ["final_model_folds", "\(finalModelFolds) (the final model's threshold out of fold over train + validation)"],
         ["final_model_candidates", "\(finalModelCandidates) (best trials refitted; the best out of fold is handed on)"],
         ["final_model_cost_tolerance", finalModelCostTolerance == 0 ? "0 (the best out of fold is handed on)"
            : "\(finalModelCostTolerance) (the cheapest to score within that share of the best out-of-fold error is handed on)"],
         ["word_dga_examples", "\(wordDGAExamples) (synthetic word-built ioc rows added to training only, from the training half of the dictionary)"],
         ["word_dga_weight", "\(wordDGAWeight) (each synthetic row's weight against a real ioc row's)"]]
    }

    var params: [String: String] {
        ["timeout_minutes": String(search.timeBudgetSeconds / 60), "max_trials": "\(search.maxTrials)",
         "primary_metric": search.primaryMetric.rawValue, "seed": "\(seed)",
         "validation_fraction": "\(validationFraction)", "test_fraction": "\(testFraction)", "dictionary": dictionary,
         "out_of_fold_folds": "\(outOfFoldCount)", "final_model_folds": "\(finalModelFolds)",
         "final_model_candidates": "\(finalModelCandidates)", "word_dga_examples": "\(wordDGAExamples)",
         "word_dga_weight": "\(wordDGAWeight)",
         "final_model_cost_tolerance": "\(finalModelCostTolerance)"]
    }
}
