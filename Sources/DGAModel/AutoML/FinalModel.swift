import Foundation

/// The model the AutoML step hands on: the search's best configuration refitted on the
/// training and validation rows together (FLAML's `retrain_full`), with its decision threshold
/// chosen on out-of-fold predictions over those same rows.
///
/// Why: the search ranks trials and picks each one's threshold on the validation split alone,
/// about 10% of the rows (some 270 ioc rows, so one row moves F1 by about 0.2%). The refit gives
/// the final model that 10% more data; the threshold comes from `folds` models of the same
/// configuration, each trained on the other folds of train + validation and scoring its own
/// fold, so it is chosen on every train + validation row (ten times the validation split) and
/// still on predictions from models that never saw those rows. The test split is never used.
///
/// Every model trains the same number of rounds: those early stopping kept on validation in
/// the best trial (`bestIteration + 1`; one round of many trees for a forest), as FLAML keeps
/// the best trial's `n_estimators`.
public struct FinalModel: Sendable {
    /// Where the final model's threshold comes from.
    public enum ThresholdSource: String, Sendable, Codable {
        /// Chosen on out-of-fold predictions over the training and validation rows.
        case outOfFold = "out_of_fold_train_validation"
        /// The best trial's own choice on the validation split.
        case validation = "validation"
    }

    /// The trial whose configuration was refitted: of the best trials on validation, the one
    /// with the best out-of-fold primary metric (see `select`).
    public let trial: TrialRecord
    /// The refitted model as XGBoost JSON.
    public let modelJSON: Data
    /// Scores at or above this are ioc.
    public let threshold: Double
    /// Where `threshold` comes from.
    public let thresholdSource: ThresholdSource
    /// Rows the final model trained on (training + validation).
    public let trainingRows: Int
    /// ioc rows among them.
    public let trainingPositives: Int
    /// Boosting rounds every model trained (1 for a forest).
    public let rounds: Int
    /// Folds of the out-of-fold predictions.
    public let folds: Int
    /// The out-of-fold predictions' figures at `threshold`, over the real rows of the `trainingRows`
    /// (synthetic word-built training rows are left out of the threshold and these figures).
    public let outOfFold: ClassificationReport
    /// The best trial's own threshold, chosen on validation, for comparison.
    public let validationThreshold: Double
    /// Seconds to train the fold models and the final one.
    public let seconds: Double
    /// Every candidate `select` refitted, in validation order (empty from `refit` alone).
    public var candidates: [Candidate] = []
    /// How much worse than the best candidate's out-of-fold error the kept one's may be when
    /// it is cheaper to score (0: the best is kept; see `choose`).
    public var costTolerance = 0.0
    /// The out-of-fold probabilities, one per training + validation row (training rows first),
    /// from which `threshold` and `outOfFold` come.
    public var outOfFoldProbabilities: [Double] = []

    /// A trial `select` refitted and scored out of fold.
    public struct Candidate: Sendable, Codable, Equatable {
        /// The trial's number.
        public let trial: Int
        /// Its primary metric on validation (what the search ranked it by).
        public let validationScore: Double
        /// Its primary metric out of fold over train + validation, at its out-of-fold threshold.
        public let outOfFoldScore: Double
        /// Seconds its fold models and refit took.
        public let seconds: Double
        /// Split tests per prediction of its refitted model (`CompiledModel.splitTestsPerPrediction`);
        /// nil when the model does not compile.
        public var splitTests: Double?
    }

    /// Folds used when none are given.
    public static let defaultFolds = 5
    /// Candidates considered when none are given.
    public static let defaultCandidates = 5
    /// The refits' time allowance as a share of the search's budget (`select`'s `budgetSeconds`).
    public static let budgetShare = 0.5

    /// Refits the best `candidates` trials on validation (each with its out-of-fold threshold)
    /// and keeps the one with the best out-of-fold primary metric: the trial choice made on
    /// every train + validation row instead of the validation split alone.
    ///
    /// The first candidate (the search's best) is always refitted; a further one is skipped when
    /// its expected cost (its trial's seconds × (folds + 1) / concurrency) would take the
    /// refits past `budgetSeconds`, so a search whose best trials are slow stays near its budget.
    public static func select(_ result: AutoMLResult, data: AutoMLDataset, seed: UInt64, metric: PrimaryMetric,
                              folds: Int = defaultFolds, candidates: Int = defaultCandidates, budgetSeconds: Double,
                              concurrency: Int = 2, costTolerance: Double = 0) throws -> FinalModel {
        try choose(from: refitCandidates(result, data: data, seed: seed, metric: metric, folds: folds, candidates: candidates,
                                         budgetSeconds: budgetSeconds, concurrency: concurrency), metric: metric, costTolerance: costTolerance)
    }

    /// The candidates `select` chooses from, refitted, in validation order (the search's best first).
    public static func refitCandidates(_ result: AutoMLResult, data: AutoMLDataset, seed: UInt64, metric: PrimaryMetric,
                                       folds: Int = defaultFolds, candidates: Int = defaultCandidates, budgetSeconds: Double,
                                       concurrency: Int = 2) throws -> [FinalModel] {
        let ranked = result.trials.filter { $0.outcome != nil && $0.primaryValue != nil }.sorted { lhs, rhs in
            metric.isBetter(lhs.primaryValue ?? .nan, than: rhs.primaryValue ?? .nan) || (lhs.primaryValue == rhs.primaryValue && lhs.number < rhs.number)
        }
        let clock = ContinuousClock()
        let began = clock.now
        var evaluated: [FinalModel] = []
        for trial in ranked.prefix(max(1, candidates)) {
            let spentSeconds = (clock.now - began) / .seconds(1)
            let expected = (trial.outcome?.durationSeconds ?? 0) * Double(folds + 1) / Double(max(1, concurrency))
            if !evaluated.isEmpty, spentSeconds + expected > budgetSeconds { continue }
            evaluated.append(try refit(trial, data: data, seed: seed, criterion: metric.thresholdCriterion, folds: folds, concurrency: concurrency))
        }
        guard !evaluated.isEmpty else { throw AutoMLError.noSuccessfulTrial("no trial has a model") }
        return evaluated
    }

    /// The candidate with the best out-of-fold primary metric (the first on a tie), listing all.
    ///
    /// With a `costTolerance` above 0, the kept candidate is the cheapest to score (the fewest
    /// split tests per prediction) among those whose out-of-fold error (1 − the score, or the
    /// loss) is at most `1 + costTolerance` times the best candidate's. Why: the candidates'
    /// out-of-fold scores often differ by less than they vary from one split to the next (F1
    /// by 0.002, where runs on other seeds differ by 0.007), while their sizes can differ by
    /// tens of times (25 boosting rounds against 656), and the scoring pipeline pays for every
    /// tree of every record. 0 keeps the best, whatever it costs.
    public static func choose(from evaluated: [FinalModel], metric: PrimaryMetric, costTolerance: Double = 0) throws -> FinalModel {
        guard !evaluated.isEmpty else { throw AutoMLError.noSuccessfulTrial("no refitted candidate") }
        guard costTolerance >= 0, costTolerance.isFinite else {
            throw AutoMLError.invalidSetting("the final model's cost tolerance is \(costTolerance); give 0 (keep the best) or more")
        }
        let scores = evaluated.map { metric.value(in: $0.outOfFold) }
        var best = 0
        for index in scores.indices.dropFirst() where metric.isBetter(scores[index], than: scores[best]) { best = index }
        let costs = evaluated.map { (try? CompiledModel(jsonData: $0.modelJSON))?.splitTestsPerPrediction }
        var kept = best
        if costTolerance > 0 {
            let allowed = metric.error(scores[best]) * (1 + costTolerance)
            for index in evaluated.indices where metric.error(scores[index]) <= allowed
                && (costs[index] ?? .infinity) < (costs[kept] ?? .infinity) {
                kept = index
            }
        }
        var chosen = evaluated[kept]
        chosen.costTolerance = costTolerance
        chosen.candidates = evaluated.indices.map { index in
            Candidate(trial: evaluated[index].trial.number, validationScore: evaluated[index].trial.primaryValue ?? .nan,
                      outOfFoldScore: scores[index], seconds: evaluated[index].seconds, splitTests: costs[index])
        }
        return chosen
    }

    /// Refits `trial`'s configuration on `data`'s training and validation rows.
    ///
    /// - Parameters:
    ///   - criterion: how the threshold is chosen (the primary metric's).
    ///   - folds: out-of-fold models for the threshold (2 or more).
    ///   - concurrency: models trained at once, one XGBoost thread each.
    /// - Throws: `AutoMLError.noSuccessfulTrial` when the best trial has no model,
    ///   `AutoMLError.invalidSetting` for fewer than 2 folds, XGBoost errors from training.
    public static func refit(_ trial: TrialRecord, data: AutoMLDataset, seed: UInt64, criterion: ThresholdCriterion = .maximumF1,
                             folds: Int = defaultFolds, concurrency: Int = 2) throws -> FinalModel {
        guard let outcome = trial.outcome else { throw AutoMLError.noSuccessfulTrial("trial \(trial.number) has no model") }
        guard folds >= 2 else { throw AutoMLError.invalidSetting("the final model's threshold needs at least 2 folds, got \(folds)") }
        let clock = ContinuousClock()
        let began = clock.now
        let configuration = outcome.configuration
        let rounds = configuration.algorithm == .randomForest ? 1 : outcome.bestIteration + 1
        let rows = FinalModelRows(data)
        let foldOf = try OutOfFoldFeatures.assignFolds(labels: rows.labels, foldCount: folds, seed: seed ^ 0x5EED_F17A_1000_0001)
        let parameters = configuration.boosterParameters(classRatio: data.scalePosWeight, nthread: 1, seed: seed)

        // Job `folds` is the final model on every row; jobs 0..<folds are the fold models.
        let jobs = folds + 1
        let collected = JobResults<FinalModelJob>(count: jobs)
        let queue = DispatchQueue(label: "runme.final-model", attributes: .concurrent)
        let gate = DispatchSemaphore(value: max(1, concurrency))
        let group = DispatchGroup()
        for job in 0..<jobs {
            gate.wait()
            queue.async(group: group) {
                defer { gate.signal() }
                collected.run(job) {
                    let trainRows = job == folds ? Array(rows.truth.indices) : rows.truth.indices.filter { foldOf[$0] != job }
                    let training = try rows.matrix(trainRows, hashed: configuration.algorithm.usesHashedNGrams, withLabels: true)
                    let model = try Booster.train(parameters: parameters, training: training, rounds: rounds).booster
                    if job == folds { return .model(try model.modelData(format: .json)) }
                    let scoredRows = rows.truth.indices.filter { foldOf[$0] == job }
                    let scored = try rows.matrix(scoredRows, hashed: configuration.algorithm.usesHashedNGrams, withLabels: false)
                    return .predictions(scoredRows, try model.predict(scored).map(Double.init))
                }
            }
        }
        group.wait()

        var outOfFold = [Double](repeating: .nan, count: rows.truth.count)
        var modelJSON = Data()
        for job in 0..<jobs {
            switch try collected.value(job) {
            case let .model(json): modelJSON = json
            case let .predictions(indices, scores): for (row, score) in zip(indices, scores) { outOfFold[row] = score }
            }
        }
        // The threshold and the out-of-fold figures come from the real rows only: synthetic
        // word-built training rows (if any) shape the models but not the operating point.
        let real = rows.realRows
        let realTruth = real.map { rows.truth[$0] }
        let realScores = real.map { outOfFold[$0] }
        let threshold = try ClassificationMetrics.chooseThreshold(labels: realTruth, scores: realScores, criterion: criterion)?.threshold
            ?? outcome.validation.threshold
        let report = try ClassificationMetrics.report(labels: realTruth, probabilities: realScores, threshold: threshold)
        var model = FinalModel(trial: trial, modelJSON: modelJSON, threshold: threshold, thresholdSource: .outOfFold,
                               trainingRows: rows.truth.count, trainingPositives: rows.truth.filter { $0 }.count, rounds: rounds, folds: folds,
                               outOfFold: report, validationThreshold: outcome.validation.threshold,
                               seconds: (clock.now - began) / .seconds(1))
        model.outOfFoldProbabilities = outOfFold
        return model
    }

    /// The final model's probabilities on the test split.
    public func testProbabilities(data: AutoMLDataset) throws -> [Double] {
        try TrialScoring.probabilities(modelJSON: modelJSON, algorithm: trial.configuration.algorithm, data: data, part: .test)
    }

    /// The final model on the test split at `threshold` (or at another threshold, for comparison).
    public func testReport(data: AutoMLDataset, threshold: Double? = nil) throws -> ClassificationReport {
        try ClassificationMetrics.report(labels: data.truth.test, probabilities: testProbabilities(data: data),
                                         threshold: threshold ?? self.threshold)
    }

    /// The final model on a held-out set, at `threshold`.
    public func heldOutReport(data: AutoMLDataset, heldOut: HeldOutSet) throws -> HeldOutReport {
        let probabilities = try TrialScoring.probabilities(modelJSON: modelJSON, algorithm: trial.configuration.algorithm,
                                                           featurizer: data.featurizer, labels: heldOut.labels)
        return try heldOut.evaluate(probabilities: probabilities, threshold: threshold)
    }

    /// The best trial's outcome carrying the final model instead, for its explanation
    /// (importance, SHAP): the out-of-fold figures stand in for the validation ones.
    public var explainedOutcome: TrialOutcome? {
        trial.outcome.map { outcome in
            TrialOutcome(configuration: outcome.configuration, modelJSON: modelJSON, history: [], validation: outOfFold,
                         roundsTrained: rounds, bestIteration: rounds - 1, startTime: outcome.startTime, durationSeconds: seconds)
        }
    }

    /// What the parent run logs as params: how the final model was made.
    public var params: [String: String] {
        ["final_model": "refit_train_validation", "final_model_trial": String(trial.number),
         "final_trial_choice": candidates.count > 1
            ? (costTolerance > 0 ? "cheapest_within_\(Self.percent(costTolerance))_of_best_out_of_fold_of_\(candidates.count)"
                                 : "best_out_of_fold_of_\(candidates.count)")
            : "best_validation",
         "final_cost_tolerance": String(costTolerance),
         "final_threshold_source": thresholdSource.rawValue, "final_threshold_folds": String(folds),
         "final_training_rows": String(trainingRows), "final_rounds": String(rounds)]
    }

    /// What the parent run logs as metrics: the threshold and the out-of-fold figures.
    public var metrics: [String: Double] {
        var metrics = ["final_threshold": threshold, "final_validation_threshold": validationThreshold,
                       "final_training_rows": Double(trainingRows),
                       "final_refit_seconds": candidates.isEmpty ? seconds : candidates.reduce(0) { $0 + $1.seconds },
                       "final_candidates": Double(max(1, candidates.count))]
        if let splitTests { metrics["final_split_tests"] = splitTests }
        for (name, value) in outOfFold.namedMetrics where name != "threshold" { metrics["final_oof_" + name] = value }
        return metrics
    }

    /// Split tests per prediction of this model, as `choose` measured it for the candidates
    /// (nil from `refit` alone, or when the model does not compile).
    public var splitTests: Double? { candidates.first { $0.trial == trial.number }?.splitTests }

    /// A share as a percentage for text ("5%", "2.5%").
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? String(format: "%.0f%%", value) : String(format: "%g%%", value)
    }

    /// A Markdown section on how the final model was made, for the summary and its notebook.
    public func markdown() -> String {
        let trialRun = trial.runID ?? "untracked"
        var choice = ""
        if candidates.count > 1 {
            let rule = costTolerance > 0
                ? "of those whose out-of-fold error is at most \(Self.percent(costTolerance)) above the best one's, the one with the fewest split tests per prediction is kept"
                : "the one with the best out-of-fold figure is kept"
            choice = "\n\nCandidates, the best trials on validation, each refitted and scored out of fold (\(rule)):\n\n"
                + "| trial | validation | out of fold | split tests per prediction | seconds |\n| --- | --- | --- | --- | --- |\n"
                + candidates.map {
                    "| \($0.trial) | \(String(format: "%.4f", $0.validationScore)) | \(String(format: "%.4f", $0.outOfFoldScore)) | "
                        + "\($0.splitTests.map { String(format: "%.0f", $0) } ?? "-") | \(String(format: "%.1f", $0.seconds)) |"
                }.joined(separator: "\n")
        }
        return """
            ## Final model

            The configuration of trial \(trial.number) (`\(trial.configuration.algorithm.rawValue)`, run `\(trialRun)`) \
            refitted on the training and validation rows together: \(trainingRows) rows (\(trainingPositives) ioc), \(rounds) \
            round\(rounds == 1 ? "" : "s") (the rounds early stopping kept on validation). The threshold \
            \(String(format: "%.4f", threshold)) is chosen on out-of-fold predictions over those rows (\(folds) folds, each scored \
            by a model trained on the others; the test split is never used); the trial's own threshold on the validation split was \
            \(String(format: "%.4f", validationThreshold)). Out-of-fold figures at the threshold: F1 \
            \(String(format: "%.4f", outOfFold.f1)), precision \(String(format: "%.4f", outOfFold.precision)), recall \
            \(String(format: "%.4f", outOfFold.recall)), ROC AUC \(String(format: "%.4f", outOfFold.rocAUC)). Refit and folds took \
            \(String(format: "%.1f", seconds)) s.\(choice)

            """
    }
}

/// The training and validation rows together, in that order, as one set.
struct FinalModelRows {
    let labels: [String]
    let truth: [Bool]
    /// The synthetic word-built rows: the last of the training rows, before the validation rows.
    let syntheticRows: Range<Int>
    /// The rows of the real lists, in order.
    var realRows: [Int] { truth.indices.filter { !syntheticRows.contains($0) } }
    /// Each row's weight (`AutoMLDataset.trainingWeights`, validation rows weighing 1); nil when all weigh 1.
    let weights: [Float]?
    let dense: DenseMatrix
    let hashed: SparseMatrix

    init(_ data: AutoMLDataset) {
        labels = (data.split.train + data.split.validation).map { data.labels[$0] }
        truth = data.truth.train + data.truth.validation
        syntheticRows = (data.truth.train.count - data.syntheticTrainingRows)..<data.truth.train.count
        weights = data.trainingWeights.map { $0 + Array(repeating: 1, count: data.truth.validation.count) }
        dense = DenseMatrix.concatenating([data.dense.train, data.dense.validation], columnCount: data.dense.train.columnCount)
        hashed = SparseMatrix.concatenating([data.hashed.train, data.hashed.validation], columnCount: data.hashed.train.columnCount)
    }

    func matrix(_ rows: [Int], hashed useHashed: Bool, withLabels: Bool) throws -> DMatrix {
        let labels = withLabels ? rows.map { Float(truth[$0] ? 1 : 0) } : nil
        // Only a training matrix that holds a weighed row carries weights (XGBoost reads none as all 1).
        let weights = self.weights.flatMap { all in withLabels && rows.contains { all[$0] != 1 } ? rows.map { all[$0] } : nil }
        if useHashed { return try DMatrix(hashed.selecting(rows: rows), labels: labels, weights: weights, nthread: 1) }
        return try DMatrix(dense.selecting(rows: rows), labels: labels, weights: weights,
                           featureNames: Featurizer.names(of: AutoMLDataset.denseFeatures), nthread: 1)
    }
}

/// What one of the final model's training jobs produced.
private enum FinalModelJob: Sendable {
    case model(Data)
    case predictions([Int], [Double])
}
