import DGAModel
import Foundation
import Tracking

/// A small AutoML training set from the shared data (alexa labels as legit, DGA labels as ioc)
/// and a helper that runs the AutoML pipeline into a store, for tests that need a registered
/// model without running the whole job.
public enum AutoMLFixture {
    /// The label left of the last dot-separated part ("www.google.com" → "google"): the simple
    /// rule that stands in for the Public Suffix List on these lists.
    public static func label(_ host: String) -> String {
        let parts = host.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().split(separator: ".")
        guard parts.count >= 2 else { return parts.first.map(String.init) ?? "" }
        return String(parts[parts.count - 2])
    }

    /// Up to `legit` alexa labels and `ioc` DGA labels, distinct, in file order.
    public static func rows(legit: Int = 3000, ioc: Int = 600) throws -> (labels: [String], isIOC: [Bool]) {
        let alexa = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        let dga = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        var seen = Set<String>()
        var labels: [String] = []
        var isIOC: [Bool] = []
        var legitCount = 0
        for line in alexa.split(whereSeparator: \.isNewline).dropFirst() where legitCount < legit {
            guard let comma = line.firstIndex(of: ",") else { continue }
            let name = label(String(line[line.index(after: comma)...]))
            if !name.isEmpty, seen.insert(name).inserted { labels.append(name); isIOC.append(false); legitCount += 1 }
        }
        var iocCount = 0
        for line in dga.split(whereSeparator: \.isNewline).dropFirst() where iocCount < ioc {
            let name = label(String(line))
            if !name.isEmpty, seen.insert(name).inserted { labels.append(name); isIOC.append(true); iocCount += 1 }
        }
        return (labels, isIOC)
    }

    /// The small data set, split and featurized.
    public static func dataset(seed: UInt64 = 42) throws -> AutoMLDataset {
        let (labels, isIOC) = try rows()
        return try AutoMLDataset.prepare(labels: labels, isIOC: isIOC, dictionaryWords: DictionaryWords.load(), seed: seed)
    }

    /// Runs a search into `store` under a fresh parent run and registers the best model.
    public static func trainAndRegister(store: TrackingStore, data: AutoMLDataset, maxTrials: Int = 6,
                                        budgetSeconds: Double = 30) async throws -> (AutoMLResult, RegistrationOutcome, parentRunID: String) {
        let experiment = try store.getOrCreateExperiment(named: "automl-test")
        let parent = try store.createRun(experimentID: experiment.id, name: "automl")
        let search = AutoMLSearch(data: data, settings: AutoMLSettings(timeBudgetSeconds: budgetSeconds, maxTrials: maxTrials),
                                  tracking: AutoMLTracking(store: store, experimentID: experiment.id, parentRunID: parent.runID))
        let result = try await search.run()
        let test = try result.testReport(data: data)
        guard let runID = result.best.runID else { throw AutoMLError.noSuccessfulTrial("best trial not tracked") }
        let registration = try ModelRegistration.register(store: store, trialRunID: runID, candidateTest: test, data: data, metric: .f1)
        try store.endRun(parent.runID)
        return (result, registration, parent.runID)
    }
}
