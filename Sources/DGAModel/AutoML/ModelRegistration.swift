import Foundation
import Tracking

/// Whether a new model takes the `champion` alias.
public enum ChampionDecision {
    /// The new model takes the alias when there is no champion, the champion could not be
    /// scored, or the new model is strictly better on `metric` (on the same test set); a tie
    /// keeps the current champion, so reruns on the same data do not churn the alias.
    public static func takesAlias(candidate: Double, champion: Double?, metric: PrimaryMetric) -> Bool {
        guard let champion else { return true }
        return metric.isBetter(candidate, than: champion)
    }
}

/// The outcome of registering a search's best model.
public struct RegistrationOutcome: Sendable {
    /// The new version of the registered model.
    public let version: Int64
    /// The champion before this registration, if any.
    public let previousChampion: Int64?
    /// The new model's primary metric on this run's test set.
    public let candidateScore: Double
    /// The previous champion's on the same test set (nil if none or it would not load).
    public let championScore: Double?
    /// Why the champion could not be scored, if it could not.
    public let championError: String?
    /// Whether the new version is now the champion.
    public let tookAlias: Bool
}

/// Registers a trial's model and hands the `champion` alias on when it wins.
public enum ModelRegistration {
    /// The registered model's name.
    public static let modelName = "dns_dga"
    /// The alias `runme score` uses by default.
    public static let championAlias = "champion"

    /// Registers `runs:/<trialRunID>/model` (a trial's run, or the final model's) as a new version of `name` and decides the alias by
    /// scoring the current champion on `data`'s test set with its own threshold.
    public static func register(store: TrackingStore, trialRunID: String, candidateTest: ClassificationReport, data: AutoMLDataset,
                                metric: PrimaryMetric, name: String = modelName,
                                description: String = "best AutoML trial") throws -> RegistrationOutcome {
        var previous: Int64?
        var championScore: Double?
        var championError: String?
        _ = try store.getOrCreateRegisteredModel(name: name, description: "DGA (machine-made) domain classifier from the AutoML task")
        if let champion = try? store.modelVersion(name: name, alias: championAlias) {
            previous = champion.version
            do {
                let bundle = try ModelBundle(directory: store.resolve(uri: "models:/\(name)/\(champion.version)"))
                let testLabels = data.split.test.map { data.labels[$0] }
                let probabilities = try bundle.probabilities(labels: testLabels)
                let report = try ClassificationMetrics.report(labels: data.truth.test, probabilities: probabilities,
                                                              threshold: bundle.manifest.threshold)
                championScore = metric.value(in: report)
            } catch {
                championError = "\(error)"
            }
        }
        let version = try store.createModelVersion(name: name, source: "runs:/\(trialRunID)/\(TrialLogger.modelPath)", runID: trialRunID,
                                                   description: description)
        let candidateScore = metric.value(in: candidateTest)
        let takes = ChampionDecision.takesAlias(candidate: candidateScore, champion: championScore, metric: metric)
        if takes { try store.setAlias(name: name, alias: championAlias, version: version.version) }
        return RegistrationOutcome(version: version.version, previousChampion: previous, candidateScore: candidateScore,
                                   championScore: championScore, championError: championError, tookAlias: takes)
    }
}
