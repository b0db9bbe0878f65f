import DGAModel
import Foundation
import Testing
import TestSupport
import Tracking

/// The AutoML search on a small slice of the shared data: budgets of seconds, so these check
/// behaviour (limits, tracking, registry hand-off), not accuracy.
@Suite(.serialized) struct AutoMLTests {
    @Test func splitIsStratifiedAndDeterministic() throws {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 1000, ioc: 200)
        let words = try DictionaryWords.load()
        let first = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 7)
        let again = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 7)
        let other = try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: words, seed: 8)
        #expect(first.split == again.split)
        #expect(first.split != other.split)
        #expect(first.truth.test.filter { $0 }.count == 40)
        #expect(first.truth.validation.filter { $0 }.count == 20)
        #expect(first.truth.train.filter { $0 }.count == 140)
        #expect(first.truth.test.count == 240)
        #expect(Set(first.split.train).isDisjoint(with: first.split.test))
        #expect(abs(first.scalePosWeight - 700.0 / 140.0) < 1e-9)
    }

    @Test func searchStopsAtMaxTrials() async throws {
        let data = try AutoMLFixture.dataset()
        let result = try await AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: 120, maxTrials: 5)).run()
        #expect(result.trials.count == 5)
        #expect(!result.stoppedByBudget)
        // The cheap start of every algorithm comes first.
        #expect(Set(result.trials.prefix(3).map(\.configuration.algorithm)).count >= 2)
        #expect(result.trials.allSatisfy { $0.primaryValue != nil })
    }

    @Test func searchRespectsTheTimeBudget() async throws {
        let data = try AutoMLFixture.dataset()
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: 8, maxTrials: 10_000)).run()
        let elapsed = clock.now - start
        #expect(result.stoppedByBudget)
        #expect(result.trials.count > 3)
        // Budget plus one trial's bound (trials on this slice take well under 10 s).
        #expect(elapsed < .seconds(18), "took \(elapsed)")
        let starts = result.trials.compactMap { $0.outcome?.startTime }
        let lastStart = try #require(starts.max())
        let firstStart = try #require(starts.min())
        #expect(lastStart.timeIntervalSince(firstStart) <= 8.5)
    }

    @Test func everyTrialIsATrackedChildRunAndTheBestIsRegistered() async throws {
        let directory = try TemporaryDirectory("automl")
        let store = try TrackingStore.open(at: directory.url)
        let data = try AutoMLFixture.dataset()
        let (result, registration, parent) = try await AutoMLFixture.trainAndRegister(store: store, data: data, maxTrials: 4)
        let children = try store.childRuns(of: parent)
        #expect(children.count == result.trials.count)
        for child in children {
            let params = try store.params(runID: child.runID)
            #expect(params["algorithm"] != nil)
            let metrics = try store.latestMetrics(runID: child.runID)
            for key in ["val_f1_final", "val_roc_auc_final", "val_pr_auc_final", "val_log_loss_final", "val_accuracy_final",
                        "val_precision_final", "val_recall_final", "duration_seconds"] {
                #expect(metrics[key] != nil, "\(key) missing")
            }
            #expect(try store.metricHistory(runID: child.runID, key: "val_logloss").count >= 1)
            let paths = try store.artifacts(runID: child.runID).map(\.path)
            #expect(paths == ["model/MLmodel.json", "model/featurizer.json", "model/model.json", "notebook.md"])
        }
        #expect(registration.version == 1)
        #expect(registration.tookAlias)
        #expect(try store.modelVersion(name: "dns_dga", alias: "champion").version == 1)

        // The registered model loads and tells a real name from a machine-made one.
        let bundle = try ModelBundle(directory: store.resolve(uri: "models:/dns_dga/1"))
        let scores = try bundle.score(labels: ["google", "xjkqwhzpqrtvbnmlkjhgfdsazxcvbq"])
        #expect(scores.map(\.predictedClass) == ["legit", "ioc"])
        #expect(scores.allSatisfy { $0.topFeatures.count == 3 })
        // More rows than one scoring chunk come back one score per label, in order.
        let many = try bundle.score(labels: Array(repeating: "google", count: 300) + ["xjkqwhzpqrtvbnmlkjhgfdsazxcvbq"])
        #expect(many.count == 301)
        #expect(many.last?.predictedClass == "ioc")

        // A second search registers version 2; the alias moves only if it is strictly better.
        let (_, second, _) = try await AutoMLFixture.trainAndRegister(store: store, data: data, maxTrials: 2)
        #expect(second.version == 2)
        #expect(second.previousChampion == 1)
        #expect(second.championScore != nil)
        let champion = try store.modelVersion(name: "dns_dga", alias: "champion").version
        #expect(champion == (second.tookAlias ? 2 : 1))
    }

    @Test func championDecision() {
        #expect(ChampionDecision.takesAlias(candidate: 0.5, champion: nil, metric: .f1))
        #expect(!ChampionDecision.takesAlias(candidate: 0.80, champion: 0.90, metric: .f1))
        #expect(!ChampionDecision.takesAlias(candidate: 0.90, champion: 0.90, metric: .f1))
        #expect(ChampionDecision.takesAlias(candidate: 0.91, champion: 0.90, metric: .rocAUC))
        #expect(ChampionDecision.takesAlias(candidate: 0.10, champion: 0.20, metric: .logLoss))
        #expect(!ChampionDecision.takesAlias(candidate: 0.30, champion: 0.20, metric: .logLoss))
        #expect(!ChampionDecision.takesAlias(candidate: .nan, champion: 0.20, metric: .f1))
    }

    @Test func missingModelFilesAreNamed() throws {
        let directory = try TemporaryDirectory("bundle")
        #expect(throws: AutoMLError.self) { try ModelBundle(directory: directory.url) }
    }
}
