import CXGBoost
import Foundation

/// The outcome of `Booster.train`: the model and how training went.
public struct TrainingResult {
    /// The model; after early stopping it holds only the rounds up to the best one.
    public let booster: Booster
    /// Metrics after every round trained, including those after the best one.
    public let history: [RoundEvaluation]
    /// The round whose model is kept (the last round without early stopping).
    public let bestIteration: Int
    /// The early-stopping metric at `bestIteration` on the validation set, if watched.
    public let bestScore: Double?
    /// Rounds actually trained.
    public let roundsTrained: Int
    /// Whether early stopping ended training before `rounds`.
    public let stoppedEarly: Bool
    /// Wall-clock time spent training and evaluating.
    public let duration: Duration
}

extension Booster {
    /// Name of the training set in evaluation results.
    public static let trainingSetName = "train"
    /// Name of the validation set in evaluation results.
    public static let validationSetName = "validation"

    /// Trains round by round (`XGBoosterUpdateOneIter`), evaluating the training and validation
    /// sets after each round, and stops early when asked.
    ///
    /// - Parameters:
    ///   - parameters: what to train; `nthread` is required there.
    ///   - training: the training rows, with labels.
    ///   - validation: held-out rows, with labels; required for early stopping.
    ///   - rounds: the most rounds to train (a random forest uses 1).
    ///   - earlyStopping: stop after `patience` rounds without improvement on validation.
    ///   - onRound: called after each round with its metrics (for progress and tracking).
    public static func train(parameters: BoosterParameters, training: DMatrix, validation: DMatrix? = nil,
                             rounds: Int, earlyStopping: EarlyStopping? = nil,
                             onRound: ((RoundEvaluation) -> Void)? = nil) throws -> TrainingResult {
        let clock = ContinuousClock()
        let start = clock.now
        guard rounds >= 1, rounds <= Int(Int32.max) else {
            throw XGBoostError.invalidParameter(name: "rounds", detail: "\(rounds); train at least 1 round")
        }
        guard training.hasLabels else { throw XGBoostError.emptyData("the training matrix has no labels") }
        if let validation {
            guard validation.hasLabels else { throw XGBoostError.emptyData("the validation matrix has no labels") }
            guard validation.columnCount == training.columnCount else {
                throw XGBoostError.shapeMismatch(what: "validation columns", expected: training.columnCount, actual: validation.columnCount)
            }
        }
        var parameters = parameters
        if let earlyStopping {
            guard validation != nil else {
                throw XGBoostError.invalidParameter(name: "earlyStopping", detail: "needs a validation set to watch")
            }
            guard earlyStopping.patience >= 1 else {
                throw XGBoostError.invalidParameter(name: "earlyStopping.patience", detail: "\(earlyStopping.patience) is below 1")
            }
            if !parameters.evalMetrics.contains(earlyStopping.metric) { parameters.evalMetrics.append(earlyStopping.metric) }
        }
        if parameters.objective.hasPrefix("binary:") { try checkBinaryLabels(training, "training") }
        if let validation, parameters.objective.hasPrefix("binary:") { try checkBinaryLabels(validation, "validation") }

        var booster = try Booster(parameters: parameters, cache: [training] + (validation.map { [$0] } ?? []))
        var sets = [(trainingSetName, training)]
        if let validation { sets.append((validationSetName, validation)) }

        var history: [RoundEvaluation] = []
        var bestIteration = rounds - 1
        var bestScore: Double?
        // A linear model cannot be sliced by round, so its best state is kept as bytes.
        var bestLinearSnapshot: Data?
        var stoppedEarly = false
        for iteration in 0..<rounds {
            try booster.updateOneIteration(iteration, training: training)
            let evaluation = try booster.evaluate(iteration: iteration, sets: sets)
            history.append(evaluation)
            onRound?(evaluation)
            guard let earlyStopping else { continue }
            guard let score = evaluation.value(earlyStopping.metric, on: validationSetName) else {
                throw XGBoostError.malformedOutput(operation: "evaluate round \(iteration)",
                                                  detail: "no \(earlyStopping.metric.rawValue) for the validation set")
            }
            if earlyStopping.improves(score, on: bestScore) {
                bestScore = score
                bestIteration = iteration
                if parameters.booster == .gblinear { bestLinearSnapshot = try booster.modelData(format: .ubj) }
            } else if iteration - bestIteration >= earlyStopping.patience {
                stoppedEarly = true
                break
            }
        }
        if earlyStopping != nil {
            if bestScore == nil { bestIteration = history.count - 1 }
            if bestIteration < history.count - 1 {
                switch parameters.booster {
                case .gbtree:
                    booster = try booster.slice(rounds: 0..<(bestIteration + 1))
                case .gblinear:
                    if let snapshot = bestLinearSnapshot {
                        booster = try Booster(modelData: snapshot, nthread: parameters.nthread)
                    }
                }
            }
            try booster.setAttribute(bestIterationAttribute, String(bestIteration))
            if let bestScore { try booster.setAttribute(bestScoreAttribute, "\(bestScore)") }
        }
        return TrainingResult(booster: booster, history: history, bestIteration: bestIteration, bestScore: bestScore,
                              roundsTrained: history.count, stoppedEarly: stoppedEarly, duration: clock.now - start)
    }

    /// Trains one more round on `training` (round numbers start at 0).
    public func updateOneIteration(_ iteration: Int, training: DMatrix) throws {
        guard let round = Int32(exactly: iteration), round >= 0 else {
            throw XGBoostError.invalidParameter(name: "iteration", detail: "\(iteration) is not a round number")
        }
        try xgbCheck(XGBoosterUpdateOneIter(handle, round, training.handle), "train round \(iteration)")
    }

    /// Evaluates the configured metrics on named data sets after round `iteration`.
    public func evaluate(iteration: Int, sets: [(name: String, matrix: DMatrix)]) throws -> RoundEvaluation {
        guard !sets.isEmpty else { return RoundEvaluation(iteration: iteration, values: [:]) }
        guard let round = Int32(exactly: iteration), round >= 0 else {
            throw XGBoostError.invalidParameter(name: "iteration", detail: "\(iteration) is not a round number")
        }
        var handles: [DMatrixHandle?] = sets.map { $0.matrix.handle }
        var result: UnsafePointer<CChar>?
        try withCStringArray(sets.map(\.name)) { names in
            try handles.withUnsafeMutableBufferPointer { buffer in
                try xgbCheck(XGBoosterEvalOneIter(handle, round, buffer.baseAddress,
                                                  names, bst_ulong(sets.count), &result),
                             "evaluate round \(iteration)")
            }
        }
        guard let result else {
            throw XGBoostError.malformedOutput(operation: "evaluate round \(iteration)", detail: "no result returned")
        }
        return try RoundEvaluation(parsing: String(cString: result), iteration: iteration, dataSets: sets.map(\.name))
    }

    /// XGBoost's own message for a label outside [0, 1] comes from deep inside the objective;
    /// check first so the error says which row.
    private static func checkBinaryLabels(_ matrix: DMatrix, _ name: String) throws {
        let labels = try matrix.labels()
        if let index = labels.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw XGBoostError.invalidValue(what: "\(name) label", detail: "label \(index) is \(labels[index]); binary:logistic needs labels in [0, 1]")
        }
    }
}
