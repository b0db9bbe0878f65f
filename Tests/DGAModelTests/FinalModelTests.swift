@testable import DGAModel
import Foundation
import Testing
import TestSupport
import Tracking

/// The final model: the best configuration refitted on train + validation with its threshold
/// chosen out of fold, on a small slice of the shared lists with a search of a few trials.
@Suite(.serialized) struct FinalModelTests {
    /// A short untracked search on the slice.
    func search(_ data: AutoMLDataset, tracking: AutoMLTracking? = nil) async throws -> AutoMLResult {
        try await AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: 20, maxTrials: 3), tracking: tracking).run()
    }

    @Test func refitTrainsOnTrainAndValidationRowsWithTheTrialsRounds() async throws {
        let data = try AutoMLFixture.dataset()
        let result = try await search(data)
        let final = try FinalModel.refit(result.best, data: data, seed: 42, folds: 3)
        let outcome = try #require(result.best.outcome)
        #expect(final.trainingRows == data.truth.train.count + data.truth.validation.count)
        #expect(final.trainingPositives == (data.truth.train + data.truth.validation).filter { $0 }.count)
        #expect(final.rounds == (outcome.configuration.algorithm == .randomForest ? 1 : outcome.bestIteration + 1))
        #expect(final.params["final_training_rows"] == String(final.trainingRows))
        #expect(final.params["final_threshold_source"] == "out_of_fold_train_validation")

        // The refit model is exactly the configuration trained on the training rows followed
        // by the validation rows for those rounds.
        let rows = FinalModelRows(data)
        let all = Array(rows.truth.indices)
        let hashed = outcome.configuration.algorithm.usesHashedNGrams
        let parameters = outcome.configuration.boosterParameters(classRatio: data.scalePosWeight, nthread: 1, seed: 42)
        let expected = try Booster.train(parameters: parameters, training: rows.matrix(all, hashed: hashed, withLabels: true), rounds: final.rounds).booster
        let testMatrix = hashed ? try DMatrix(data.hashed.test, nthread: 1)
            : try DMatrix(data.dense.test, featureNames: Featurizer.names(of: AutoMLDataset.denseFeatures), nthread: 1)
        let refitScores = try final.testProbabilities(data: data)
        #expect(refitScores == (try expected.predict(testMatrix).map(Double.init)))
        // …and not the search's model, which saw the training rows only.
        let searchScores = try TrialScoring.probabilities(modelJSON: outcome.modelJSON, algorithm: outcome.configuration.algorithm,
                                                          data: data, part: .test)
        #expect(refitScores != searchScores)

        // The threshold is chosen over every train + validation row, out of fold.
        #expect(final.outOfFold.confusion.total == final.trainingRows)
        #expect(final.outOfFold.threshold == final.threshold)
        #expect(final.validationThreshold == outcome.validation.threshold)
        // The out-of-fold probabilities are kept, one per row, and are what the figures come from.
        #expect(final.outOfFoldProbabilities.count == final.trainingRows)
        #expect(final.outOfFoldProbabilities.allSatisfy { (0...1).contains($0) })
        let recomputed = try ClassificationMetrics.report(labels: rows.truth, probabilities: final.outOfFoldProbabilities,
                                                          threshold: final.threshold)
        #expect(recomputed.f1 == final.outOfFold.f1 && recomputed.rocAUC == final.outOfFold.rocAUC)
    }

    @Test func testLabelsNeverReachTheFinalModelOrItsThreshold() async throws {
        let data = try AutoMLFixture.dataset()
        let result = try await search(data)
        let final = try FinalModel.refit(result.best, data: data, seed: 42, folds: 3)
        // The same data with every test label flipped (and the test rows' features kept).
        let flipped = AutoMLDataset(labels: data.labels, isIOC: data.isIOC, split: data.split, featurizer: data.featurizer,
                                    dense: data.dense, hashed: data.hashed,
                                    truth: .init(train: data.truth.train, validation: data.truth.validation, test: data.truth.test.map { !$0 }),
                                    outOfFoldCount: data.outOfFoldCount)
        let again = try FinalModel.refit(result.best, data: flipped, seed: 42, folds: 3)
        #expect(again.threshold == final.threshold)
        #expect(again.modelJSON == final.modelJSON)
        #expect(again.outOfFold.f1 == final.outOfFold.f1)
        // The test report does read the test labels: flipped, the F1 changes.
        #expect(try again.testReport(data: flipped).f1 != (try final.testReport(data: data).f1))
        #expect(throws: AutoMLError.self) { try FinalModel.refit(result.best, data: data, seed: 42, folds: 1) }
    }

    @Test func selectionKeepsTheBestOutOfFoldCandidateWithinItsBudget() async throws {
        let data = try AutoMLFixture.dataset()
        let result = try await search(data)
        let candidates = try FinalModel.refitCandidates(result, data: data, seed: 42, metric: .f1, folds: 3, candidates: 3, budgetSeconds: 600)
        // The best trials on validation, best first, each refitted and scored out of fold.
        let ranked = result.trials.filter { $0.primaryValue != nil }.sorted {
            ($0.primaryValue ?? 0, -$0.number) > ($1.primaryValue ?? 0, -$1.number)
        }
        #expect(candidates.map(\.trial.number) == ranked.prefix(3).map(\.number))
        #expect(candidates.first?.trial.number == result.best.number)
        let chosen = try FinalModel.choose(from: candidates, metric: .f1)
        #expect(chosen.outOfFold.f1 == candidates.map(\.outOfFold.f1).max())
        #expect(chosen.candidates.map(\.trial) == candidates.map(\.trial.number))
        #expect(chosen.candidates.map(\.outOfFoldScore) == candidates.map(\.outOfFold.f1))
        #expect(chosen.params["final_trial_choice"] == "best_out_of_fold_of_3")
        #expect(chosen.markdown().contains("| \(chosen.trial.number) |"))
        // With a cost tolerance, the cheapest candidate within that share of the best one's
        // out-of-fold error is kept; every candidate's split tests are listed.
        let costs = try candidates.map { try CompiledModel(jsonData: $0.modelJSON).splitTestsPerPrediction }
        #expect(chosen.candidates.map(\.splitTests) == costs)
        let bestError = 1 - chosen.outOfFold.f1
        for tolerance in [0.05, 0.5, 10.0] {
            let frugal = try FinalModel.choose(from: candidates, metric: .f1, costTolerance: tolerance)
            let eligible = candidates.indices.filter { 1 - candidates[$0].outOfFold.f1 <= bestError * (1 + tolerance) }
            let cheapest = eligible.min { costs[$0] < costs[$1] }
            #expect(frugal.trial.number == cheapest.map { candidates[$0].trial.number }, "tolerance \(tolerance)")
            #expect(1 - frugal.outOfFold.f1 <= bestError * (1 + tolerance))
            #expect(frugal.params["final_cost_tolerance"] == String(tolerance))
            #expect(frugal.params["final_trial_choice"]?.hasPrefix("cheapest_within_") == true)
            #expect(frugal.markdown().contains("the one with the fewest split tests per prediction is kept"))
        }
        // A tolerance large enough admits every candidate: the cheapest of all is kept.
        let anyCost = try FinalModel.choose(from: candidates, metric: .f1, costTolerance: 1_000)
        #expect(costs[candidates.firstIndex { $0.trial.number == anyCost.trial.number } ?? 0] == costs.min())
        #expect(throws: AutoMLError.self) { try FinalModel.choose(from: candidates, metric: .f1, costTolerance: -0.1) }
        // With no time allowance only the search's best is refitted.
        let alone = try FinalModel.select(result, data: data, seed: 42, metric: .f1, folds: 3, candidates: 3, budgetSeconds: 0)
        #expect(alone.trial.number == result.best.number && alone.candidates.count == 1)
        #expect(alone.params["final_trial_choice"] == "best_validation")
    }

    @Test func theRegisteredFinalModelScoresLikeItsBundleSays() async throws {
        let directory = try TemporaryDirectory("final-model")
        let store = try TrackingStore.open(at: directory.url)
        let data = try AutoMLFixture.dataset()
        let experiment = try store.getOrCreateExperiment(named: "automl-test")
        let parent = try store.createRun(experimentID: experiment.id, name: "automl")
        let tracking = AutoMLTracking(store: store, experimentID: experiment.id, parentRunID: parent.runID)
        let result = try await search(data, tracking: tracking)
        let final = try FinalModel.select(result, data: data, seed: 42, metric: .f1, folds: 3, candidates: 2, budgetSeconds: 60)
        let runID = try tracking.logFinalModel(final, data: data, seed: 42)
        let test = try final.testReport(data: data)
        let registration = try ModelRegistration.register(store: store, trialRunID: runID, candidateTest: test, data: data, metric: .f1,
                                                          description: "refit")

        // A child of the AutoML run, not counted as a trial, naming the trial it refits.
        let info = try store.runInfo(id: runID)
        #expect(info.parentRunID == parent.runID)
        let tags = try store.tags(runID: runID)
        #expect(tags["automl.trial"] == nil)
        #expect(tags[AutoMLTracking.refitOfTag] == final.trial.runID)
        let params = try store.params(runID: runID)
        #expect(params["final_training_rows"] == String(data.truth.train.count + data.truth.validation.count))
        #expect(params["algorithm"] == final.trial.configuration.algorithm.rawValue)
        #expect(params["final_model_trial"] == String(final.trial.number))
        #expect(try store.latestMetrics(runID: runID)["oof_f1"]?.value == final.outOfFold.f1)
        #expect(try String(contentsOf: store.artifactDirectory(runID: runID).appendingPathComponent(TrialNotebook.artifactPath), encoding: .utf8)
            .contains("refitted on the training and validation rows together"))

        // The registered version is the final model: its bundle holds the out-of-fold threshold
        // and scores the test labels as the final model does.
        let version = try store.modelVersion(name: ModelRegistration.modelName, alias: ModelRegistration.championAlias)
        #expect(version.version == registration.version && version.runID == runID)
        let bundle = try ModelBundle(directory: store.resolve(uri: "models:/\(ModelRegistration.modelName)/\(registration.version)"))
        #expect(bundle.manifest.threshold == final.threshold)
        let labels = data.split.test.map { data.labels[$0] }
        let probabilities = try bundle.probabilities(labels: labels)
        let expected = try final.testProbabilities(data: data)
        #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        let report = try ClassificationMetrics.report(labels: data.truth.test, probabilities: probabilities, threshold: bundle.manifest.threshold)
        #expect(report.confusion == test.confusion)
        let scores = try bundle.score(labels: Array(labels.prefix(50)))
        for (score, probability) in zip(scores, probabilities) {
            #expect(score.predictedClass == (probability >= final.threshold ? "ioc" : "legit"))
        }
    }
}
