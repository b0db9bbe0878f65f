@testable import DGAModel
import Foundation
import Testing
import TestSupport

/// The searched class weight of the tree boosters and the threshold each primary metric
/// chooses on validation.
@Suite struct ClassWeightAndThresholdTests {
    @Test func treeBoostersWeighIOCRowsByTheSearchedPowerOfTheClassRatio() throws {
        for algorithm in [AutoMLAlgorithm.xgboost, .randomForest] {
            #expect(algorithm.space.contains { $0.name == AutoMLAlgorithm.classWeightPower && $0.lower == 0 && $0.upper == 1 })
            let configuration = TrialConfiguration(algorithm: algorithm, values: [AutoMLAlgorithm.classWeightPower: 0.5])
            #expect(abs(configuration.scalePosWeight(classRatio: 36) - 6) < 1e-9)
            #expect(configuration.boosterParameters(classRatio: 36, nthread: 1, seed: 1).scalePosWeight == configuration.scalePosWeight(classRatio: 36))
            let unweighted = TrialConfiguration(algorithm: algorithm, values: [AutoMLAlgorithm.classWeightPower: 0])
            #expect(unweighted.scalePosWeight(classRatio: 36) == 1)
            #expect(configuration.params[AutoMLAlgorithm.classWeightPower] == "0.5")
        }
        let linear = TrialConfiguration(algorithm: .linear, values: [:])
        #expect(linear.scalePosWeight(classRatio: 36) == 1)
        #expect(!AutoMLAlgorithm.linear.space.contains { $0.name == AutoMLAlgorithm.classWeightPower })
    }

    @Test func aTrialLoggedBeforeTheWeightWasSearchedRetrainsBalanced() throws {
        let params = ["algorithm": "xgboost", "rounds": "32", "max_depth": "6", "eta": "0.3", "min_child_weight": "1",
                      "subsample": "1", "colsample_bytree": "1", "lambda": "1"]
        let configuration = try TrialConfiguration(params: params)
        #expect(configuration.values[AutoMLAlgorithm.classWeightPower] == 1)
        #expect(abs(configuration.scalePosWeight(classRatio: 36) - 36) < 1e-9)
        var broken = params
        broken["eta"] = "fast"
        #expect(throws: AutoMLError.self) { try TrialConfiguration(params: broken) }
    }

    @Test func eachPrimaryMetricChoosesItsThresholdOnValidation() throws {
        #expect(PrimaryMetric.f1.thresholdCriterion == .maximumF1)
        #expect(PrimaryMetric.accuracy.thresholdCriterion == .maximumAccuracy)
        #expect(PrimaryMetric.rocAUC.thresholdCriterion == .maximumF1)
        // Flagging everything maximises F1 here; accuracy stops after the first three.
        let labels = [true, true, true, false, false, true, false, true]
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
        let accuracy = try #require(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .maximumAccuracy))
        #expect(accuracy.threshold == 0.7)
        #expect(accuracy.confusion.accuracy == 0.75)
        let f1 = try #require(try ClassificationMetrics.chooseThreshold(labels: labels, scores: scores, criterion: .maximumF1))
        #expect(f1.threshold == 0.2)
        #expect(abs(f1.confusion.f1 - 10.0 / 13.0) < 1e-9)
    }

    @Test func aSearchForAccuracyShipsTheBestAccuracyThreshold() async throws {
        let data = try AutoMLFixture.dataset()
        let settings = AutoMLSettings(timeBudgetSeconds: 60, maxTrials: 2, primaryMetric: .accuracy)
        let result = try await AutoMLSearch(data: data, settings: settings).run()
        for trial in result.trials {
            let outcome = try #require(trial.outcome)
            let probabilities = try TrialScoring.probabilities(modelJSON: outcome.modelJSON, algorithm: outcome.configuration.algorithm,
                                                               data: data, part: .validation)
            let best = try #require(try ClassificationMetrics.chooseThreshold(labels: data.truth.validation, scores: probabilities,
                                                                              criterion: .maximumAccuracy))
            #expect(outcome.validation.threshold == best.threshold)
            #expect(abs(outcome.validation.accuracy - best.confusion.accuracy) < 1e-12)
            #expect(trial.primaryValue == outcome.validation.accuracy)
        }
    }
}
