import DGAModel
import Foundation
import Testing
import TestSupport

/// The XGBoost wrapper on a small synthetic problem: training, prediction paths, persistence,
/// explanations, early stopping.
@Suite struct BoosterTests {
    static let threads = 1

    func trainSmall(rounds: Int = 20) throws -> (Booster, SyntheticData) {
        let data = try SyntheticData(rows: 2000, seed: 7)
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.maxDepth = 4
        parameters.seed = 1
        let result = try Booster.train(parameters: parameters, training: try data.dmatrix(), rounds: rounds)
        return (result.booster, data)
    }

    @Test func trainsAndPredictsTheSameInPlaceAndThroughADMatrix() throws {
        let (booster, data) = try trainSmall()
        let viaMatrix = try booster.predict(try data.dmatrix())
        let inPlace = try booster.predict(data.matrix)
        #expect(viaMatrix.count == 2000)
        #expect(viaMatrix == inPlace)
        #expect(viaMatrix.allSatisfy { $0 > 0 && $0 < 1 })
        let auc = try ClassificationMetrics.rocAUC(labels: data.truth, scores: inPlace.map(Double.init))
        #expect(auc > 0.97, "training AUC \(auc)")
        #expect(try booster.boostedRounds() == 20)
        #expect(try booster.featureCount() == 4)
        #expect(try booster.featureNames() == SyntheticData.featureNames)
    }

    @Test func evaluatesEveryRoundOnTrainAndValidation() throws {
        let train = try SyntheticData(rows: 1500, seed: 1)
        let validation = try SyntheticData(rows: 500, seed: 2)
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.evalMetrics = [.logloss, .auc, .aucpr, .error]
        var seen: [Int] = []
        let result = try Booster.train(parameters: parameters, training: try train.dmatrix(), validation: try validation.dmatrix(),
                                       rounds: 5, onRound: { seen.append($0.iteration) })
        #expect(seen == [0, 1, 2, 3, 4])
        #expect(result.history.count == 5)
        for metric in EvalMetric.allCases {
            #expect(result.history[4].value(metric, on: "train") != nil)
            #expect(result.history[4].value(metric, on: "validation") != nil)
        }
        let losses = result.history.compactMap { $0.value(.logloss, on: "train") }
        #expect(losses == losses.sorted(by: >), "training loss falls each round: \(losses)")
    }

    @Test func parsesEvaluationLinesWithDashesInNames() throws {
        let line = "[3]\ttrain-logloss:0.15\ttrain-extra-auc:0.5\ttrain-error@0.7:0.25"
        let evaluation = try RoundEvaluation(parsing: line, iteration: 3, dataSets: ["train", "train-extra"])
        #expect(evaluation.values["train"]?["logloss"] == 0.15)
        #expect(evaluation.values["train"]?["error@0.7"] == 0.25)
        #expect(evaluation.values["train-extra"]?["auc"] == 0.5)
    }

    @Test func savesAndLoadsJSONAndBuffersWithIdenticalPredictions() throws {
        let (booster, data) = try trainSmall()
        let directory = try TemporaryDirectory("dga-model")
        let path = directory.file("model.json")
        try booster.save(to: path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any]
        #expect(json?["learner"] != nil, "XGBoost's JSON model schema")
        let loaded = try Booster(contentsOf: path, nthread: 1)
        #expect(try loaded.predict(data.matrix) == booster.predict(data.matrix))
        #expect(try loaded.featureNames() == SyntheticData.featureNames)

        let ubj = directory.file("model.ubj")
        try booster.save(to: ubj)
        #expect(try Booster(contentsOf: ubj, nthread: 1).predict(data.matrix) == booster.predict(data.matrix))

        for format in [Booster.ModelFormat.json, .ubj] {
            let bytes = try booster.modelData(format: format)
            #expect(try Booster(modelData: bytes, nthread: 1).predict(data.matrix) == booster.predict(data.matrix))
        }
        #expect(throws: XGBoostError.unsupportedModelFormat(path: directory.file("model.bin").path)) {
            try booster.save(to: directory.file("model.bin"))
        }
        #expect(throws: XGBoostError.self) { try Booster(contentsOf: directory.file("missing.json"), nthread: 1) }
        #expect(throws: XGBoostError.self) { try Booster(modelData: Data("not a model".utf8), nthread: 1) }
    }

    @Test func contributionsSumToTheMargin() throws {
        let (booster, data) = try trainSmall()
        let matrix = try data.dmatrix()
        let contributions = try booster.contributions(matrix)
        let margins = try booster.predict(matrix, output: .margin)
        #expect(contributions.rowCount == 2000)
        #expect(contributions.columnCount == 5, "four features and the bias")
        for row in 0..<contributions.rowCount {
            let sum = contributions.row(row).reduce(0, +)
            #expect(abs(sum - margins[row]) < 1e-3, "row \(row): \(sum) vs \(margins[row])")
        }
        // The signal column explains more than the noise columns.
        let meanAbs = (0..<4).map { column in (0..<2000).map { abs(contributions[$0, column]) }.reduce(0, +) / 2000 }
        #expect(meanAbs[0] > meanAbs[2] && meanAbs[0] > meanAbs[3])
        // Probability is the logistic of the margin.
        let probabilities = try booster.predict(matrix)
        #expect(abs(probabilities[0] - 1 / (1 + exp(-margins[0]))) < 1e-5)
    }

    @Test func featureImportanceByGainNamesTheFeatures() throws {
        let (booster, _) = try trainSmall()
        let importance = try booster.featureImportance(.gain)
        #expect(importance.first?.feature == "signal")
        #expect(Set(importance.map(\.feature)).isSubset(of: Set(SyntheticData.featureNames)))
        #expect(importance.map(\.score) == importance.map(\.score).sorted(by: >))
        let renamed = try booster.featureImportance(.totalGain, featureNames: ["a", "b", "c", "d"])
        #expect(renamed.first?.feature == "a")
        #expect(try booster.featureImportance(.weight).count >= 2)
    }

    @Test func earlyStoppingStopsAndKeepsTheBestRound() throws {
        // Easy and noiseless: validation loss bottoms out quickly with a big step, then rises
        // as the model overfits the training noise.
        let train = try SyntheticData(rows: 600, seed: 11, noise: 0.3)
        let validation = try SyntheticData(rows: 600, seed: 12, noise: 0.3)
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.eta = 0.8
        parameters.maxDepth = 8
        parameters.minChildWeight = 0
        parameters.lambda = 0
        let result = try Booster.train(parameters: parameters, training: try train.dmatrix(), validation: try validation.dmatrix(),
                                       rounds: 500, earlyStopping: EarlyStopping(patience: 5, metric: .logloss))
        #expect(result.stoppedEarly)
        #expect(result.roundsTrained < 500)
        #expect(result.roundsTrained == result.bestIteration + 6)
        let losses = result.history.compactMap { $0.value(.logloss, on: "validation") }
        let bestLoss = losses.min() ?? .nan
        #expect(losses[result.bestIteration] == bestLoss)
        #expect(result.bestScore == bestLoss)
        // The kept model holds exactly the rounds up to the best one, and says so when reloaded.
        #expect(try result.booster.boostedRounds() == result.bestIteration + 1)
        #expect(try result.booster.bestIteration() == result.bestIteration)
        let reloaded = try Booster(modelData: try result.booster.modelData(), nthread: 1)
        #expect(try reloaded.bestIteration() == result.bestIteration)
        let kept = try result.booster.predict(try validation.dmatrix())
        let keptLoss = try ClassificationMetrics.logLoss(labels: validation.truth, probabilities: kept.map(Double.init))
        #expect(abs(keptLoss - bestLoss) < 1e-4, "kept model's validation loss \(keptLoss) vs best \(bestLoss)")
    }

    @Test func earlyStoppingOnAUCWatchesTheHigherIsBetterDirection() throws {
        let train = try SyntheticData(rows: 800, seed: 21, noise: 0.3)
        let validation = try SyntheticData(rows: 800, seed: 22, noise: 0.3)
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.evalMetrics = [.logloss]
        let result = try Booster.train(parameters: parameters, training: try train.dmatrix(), validation: try validation.dmatrix(),
                                       rounds: 300, earlyStopping: EarlyStopping(patience: 10, metric: .auc))
        let aucs = result.history.compactMap { $0.value(.auc, on: "validation") }
        #expect(aucs.count == result.roundsTrained, "the watched metric is added when missing")
        #expect(result.bestScore == aucs.max())
        #expect(result.stoppedEarly)
    }

    @Test func linearEarlyStoppingRestoresTheBestWeights() throws {
        let train = try SyntheticData(rows: 1000, seed: 31, noise: 0.3)
        let validation = try SyntheticData(rows: 1000, seed: 32, noise: 0.3)
        var parameters = BoosterParameters(booster: .gblinear, nthread: Self.threads)
        parameters.eta = 1
        parameters.lambda = 0
        let result = try Booster.train(parameters: parameters, training: try train.dmatrix(), validation: try validation.dmatrix(),
                                       rounds: 400, earlyStopping: EarlyStopping(patience: 3, metric: .logloss, minimumDelta: 1e-4))
        #expect(result.stoppedEarly)
        let kept = try result.booster.predict(try validation.dmatrix())
        let keptLoss = try ClassificationMetrics.logLoss(labels: validation.truth, probabilities: kept.map(Double.init))
        #expect(abs(keptLoss - (result.bestScore ?? .nan)) < 1e-4)
        #expect(try result.booster.featureImportance(.weight).count == 4)
    }
}
