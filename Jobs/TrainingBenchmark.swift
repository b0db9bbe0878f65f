import DGAModel
import DNSData
import Foundation
import Lakehouse
import Tracking

/// `runme bench train`: step 02's search on the accelerator's lists, end to end as the job runs
/// it (the training table built by the ETL's code, the same split, featurizer, search and
/// tracking into a scratch store), with the figures the issue asks for: time to the best trial,
/// trials per minute, the best model on the test split and on the held-out set.
public enum TrainingBenchmark {
    /// What to run.
    public struct Options: Sendable {
        /// Directory holding `alexa_100k.txt` and `dga_domains_header.txt`.
        public var dataDirectory: URL
        /// The search budget in minutes.
        public var minutes: Double
        /// The most trials.
        public var maxTrials: Int
        /// Seed of the split and the search.
        public var seed: UInt64
        /// The dictionary file.
        public var dictionary: String
        /// The Public Suffix List file.
        public var publicSuffixList: String
        /// Labels per held-out DGA family.
        public var heldOutPerFamily: Int
        /// Where the scratch store goes (a temporary directory when nil); removed afterwards.
        public var scratchDirectory: URL?
        /// Folds of the training rows' out-of-fold features; nil featurizes them in-sample (for
        /// comparison only: it leaks each legit label's own n-grams into its features).
        public var outOfFoldCount: Int? = OutOfFoldFeatures.defaultFoldCount
        /// Folds of the final model's out-of-fold predictions.
        public var finalModelFolds: Int = FinalModel.defaultFolds
        /// The best trials refitted for the final model's choice (1: the search's best only).
        public var finalModelCandidates: Int = FinalModel.defaultCandidates
        /// How much more out-of-fold error a cheaper candidate may have and still be kept (0: the best).
        public var finalModelCostTolerance = 0.0
        /// Where to write every candidate's out-of-fold and test probabilities, the rows' labels,
        /// classes and dense features as JSON (nil: not written), for error analysis and for
        /// trying combinations of the candidates offline.
        public var predictionsFile: URL?
        /// Synthetic word-built ioc rows added to the training part (0: none), as step 02's
        /// `word_dga_examples`.
        public var wordDGAExamples: Int = AutoMLDataset.defaultWordDGAExamples
        /// `word_dga_weight`.
        public var wordDGAWeight: Double = AutoMLDataset.defaultWordDGAWeight

        /// The job's defaults with a 2-minute budget.
        public init(dataDirectory: URL, minutes: Double = 2, maxTrials: Int = 1000, seed: UInt64 = 42,
                    dictionary: String = DictionaryWords.defaultPath, publicSuffixList: String = PublicSuffixList.debianPath,
                    heldOutPerFamily: Int = 200, scratchDirectory: URL? = nil) {
            self.dataDirectory = dataDirectory
            self.minutes = minutes
            self.maxTrials = maxTrials
            self.seed = seed
            self.dictionary = dictionary
            self.publicSuffixList = publicSuffixList
            self.heldOutPerFamily = heldOutPerFamily
            self.scratchDirectory = scratchDirectory
        }
    }

    /// The measured figures.
    public struct Figures: Sendable {
        /// Rows in the training table.
        public let rows: Int
        /// Synthetic word-built ioc rows added to the training part.
        public var syntheticTrainingRows: Int = 0
        /// Seconds to split and featurize.
        public let featurizeSeconds: Double
        /// The search's result.
        public let result: AutoMLResult
        /// The model handed on (the best out-of-fold candidate refitted on train + validation, its
        /// threshold chosen out of fold) on the test split.
        public let test: ClassificationReport
        /// The model handed on, and how it was made.
        public let finalModel: FinalModel
        /// The search's best trial model itself (trained on train only) on the test split, at its
        /// validation threshold: what was handed on before the refit, for comparison.
        public let searchModelTest: ClassificationReport
        /// The search's best trial refitted, at its out-of-fold threshold (the final model when
        /// the out-of-fold choice keeps it), for comparison.
        public let bestRefitTest: ClassificationReport
        /// The search's best trial refitted, at its validation threshold, for comparison.
        public let refitValidationThresholdTest: ClassificationReport
        /// The model handed on, on the held-out set.
        public let heldOut: HeldOutReport
        /// The trial a threshold-free criterion (validation PR AUC) would have picked, and its
        /// own model on the test split at its validation threshold: a smoother trial choice,
        /// measured beside the primary metric's.
        public let byValidationPRAUC: (trial: Int, test: ClassificationReport)
        /// With a cost tolerance: the candidate the tolerance 0 would have kept (the best out
        /// of fold), on the test split and with its split tests per prediction, for comparison.
        public var bestOutOfFold: (model: FinalModel, test: ClassificationReport)?
    }

    /// Runs the benchmark; `progress` gets one line per stage and per trial.
    public static func run(_ options: Options, progress: @Sendable (String) -> Void = { _ in }) async throws -> Figures {
        let scratch = (options.scratchDirectory ?? FileManager.default.temporaryDirectory)
            .appendingPathComponent("runme-bench-train-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let suffixes = try PublicSuffixList(path: options.publicSuffixList)
        let lakehouse = try LakehouseSchema.open(storeDirectory: scratch)
        let summary = try TrainingSetTable(database: lakehouse, suffixes: suffixes)
            .replace(legitList: options.dataDirectory.appendingPathComponent("alexa_100k.txt"),
                     dgaList: options.dataDirectory.appendingPathComponent("dga_domains_header.txt"))
        let rows = try TrainingRows.read(storeDirectory: scratch)
        progress("training table: \(summary.legit) legit, \(summary.ioc) ioc labels")

        let clock = ContinuousClock()
        let began = clock.now
        let words = try DictionaryWords.load(from: URL(fileURLWithPath: options.dictionary))
        let data = try AutoMLDataset.prepare(labels: rows.labels, isIOC: rows.isIOC, dictionaryWords: words, seed: options.seed,
                                             outOfFoldCount: options.outOfFoldCount, wordDGAExamples: options.wordDGAExamples,
                                             wordDGAWeight: options.wordDGAWeight)
        let featurizeSeconds = seconds(clock.now - began)
        progress(String(format: "split and featurized in %.1f s (training rows %@; %d synthetic word-built ioc rows in training)", featurizeSeconds,
                        options.outOfFoldCount.map { "out of fold, \($0) folds" } ?? "in-sample", data.syntheticTrainingRows))

        let store = try TrackingStore.open(at: scratch)
        let experiment = try store.getOrCreateExperiment(named: "bench-train")
        let parent = try store.createRun(experimentID: experiment.id, name: "bench-train")
        let settings = AutoMLSettings(timeBudgetSeconds: options.minutes * 60, maxTrials: options.maxTrials, seed: options.seed)
        let search = AutoMLSearch(data: data, settings: settings,
                                  tracking: AutoMLTracking(store: store, experimentID: experiment.id, parentRunID: parent.runID))
        let result = try await search.run { trial in
            let value = trial.primaryValue.map { String(format: "%.4f", $0) } ?? "failed"
            progress("trial \(trial.number) \(trial.configuration.algorithm.rawValue) \(trial.configuration.summary): f1 \(value)")
        }
        try store.endRun(parent.runID, status: .finished)
        let searchModelTest = try result.testReport(data: data)
        progress("refitting the best trials on train + validation, thresholds from \(options.finalModelFolds) out-of-fold models each")
        let candidates = try FinalModel.refitCandidates(result, data: data, seed: options.seed, metric: settings.primaryMetric,
                                                        folds: options.finalModelFolds, candidates: options.finalModelCandidates,
                                                        budgetSeconds: settings.timeBudgetSeconds * FinalModel.budgetShare,
                                                        concurrency: settings.concurrency)
        let finalModel = try FinalModel.choose(from: candidates, metric: settings.primaryMetric, costTolerance: options.finalModelCostTolerance)
        if let dump = options.predictionsFile {
            var object: [String: Any] = [
                "labels": (data.split.train + data.split.validation).map { data.labels[$0] },
                "truth": data.truth.train + data.truth.validation,
                "test_labels": data.split.test.map { data.labels[$0] }, "test_truth": data.truth.test,
                "features": AutoMLDataset.denseFeatures.map(\.rawValue),
                "dense": (data.dense.train.values + data.dense.validation.values).map { $0.isFinite ? Double($0) as Any : NSNull() },
                "test_dense": data.dense.test.values.map { $0.isFinite ? Double($0) as Any : NSNull() }]
            object["candidates"] = try candidates.map { candidate -> [String: Any] in
                ["trial": candidate.trial.number, "algorithm": candidate.trial.configuration.algorithm.rawValue,
                 "oof": candidate.outOfFoldProbabilities, "test": try candidate.testProbabilities(data: data)]
            }
            try JSONSerialization.data(withJSONObject: object).write(to: dump)
        }
        let test = try finalModel.testReport(data: data)
        let bestRefit = candidates[0]
        let bestRefitTest = try bestRefit.testReport(data: data)
        let refitValidationThresholdTest = try bestRefit.testReport(data: data, threshold: bestRefit.validationThreshold)
        // `best` has an outcome, so the maximum exists.
        let prAUCPick = result.trials.filter { $0.outcome != nil }.max { lhs, rhs in
            (lhs.outcome?.validation.averagePrecision ?? 0) < (rhs.outcome?.validation.averagePrecision ?? 0)
        } ?? result.best
        let byPRAUC = (trial: prAUCPick.number, test: try result.testReport(of: prAUCPick, data: data))

        progress("held-out set: Debian package homepages and \(SyntheticDGA.Family.allCases.count) generated DGA families")
        let heldOut = try HeldOutDomains.heldOutSet(trainingLabels: Set(rows.labels), dictionaryWords: words, suffixes: suffixes,
                                                    perFamily: options.heldOutPerFamily)
        let report = try finalModel.heldOutReport(data: data, heldOut: heldOut)
        var figures = Figures(rows: rows.labels.count, featurizeSeconds: featurizeSeconds, result: result, test: test, finalModel: finalModel,
                       searchModelTest: searchModelTest, bestRefitTest: bestRefitTest, refitValidationThresholdTest: refitValidationThresholdTest, heldOut: report,
                       byValidationPRAUC: byPRAUC)
        figures.syntheticTrainingRows = data.syntheticTrainingRows
        if options.finalModelCostTolerance > 0 {
            let best = try FinalModel.choose(from: candidates, metric: settings.primaryMetric)
            figures.bestOutOfFold = (best, try best.testReport(data: data))
        }
        return figures
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
