import ArgumentParser
import DGAModel
import DNSAnalyticsJob
import Foundation
import Tracking

/// `runme trials`: AutoML trials recorded in the store.
struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "Work with the AutoML task's trials.",
        subcommands: [Retrain.self]
    )

    /// `runme trials retrain RUN_ID`.
    struct Retrain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retrain",
            abstract: "Train an AutoML trial again from its recorded params and log it as a new run.",
            discussion: """
                RUN_ID is a trial's run id (listed in the AutoML run's automl/summary.md \
                artifact and each trial's notebook; the best one is the param best_trial_run_id). The trial's algorithm and hyperparameters come \
                from its params; the seed, validation and test fractions and dictionary from its \
                AutoML run's params; the rows from the store's silver_dns_training_dataset. The split \
                and featurizer are rebuilt, the model is trained with one XGBoost thread and the same \
                XGBoost seed, and the result is logged as a new run (tag automl.retrained_from = \
                RUN_ID) with the same params, metrics, model files and notebook. Prints the original \
                and retrained validation figures side by side. Exit 2 when the run is not a trial or \
                the store has no training table.
                """
        )

        @Argument(help: "The trial's run id, or a prefix of 6 or more characters that only it starts with (reports show 12).")
        var runID: String

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions

        struct OutcomeJSON: Encodable {
            var runID: String
            var retrainedFrom: String
            var trial: Int
            var params: [String: String]
            var sameFeaturizer: Bool
            var original: [String: Double]
            var retrained: [String: Double]
        }

        func run() throws {
            let store: TrackingStore
            do {
                store = try storeOptions.openForWriting()
            } catch {
                throw RunmeError(message: "cannot open the experiment store at \(storeOptions.directory.path): \(error)")
            }
            let outcome: TrialRetraining.Outcome
            do {
                let runID = try store.runID(matching: runID)
                outcome = try TrialRetraining.retrain(store: store, storeDirectory: storeOptions.directory, runID: runID)
            } catch let error as AutoMLError {
                throw RunmeError(message: "cannot retrain run \(runID): \(error)")
            } catch let error as TrackingError {
                throw RunmeError(message: "cannot retrain run \(runID): \(error)")
            }
            if output.json {
                return try JSONOutput.print(OutcomeJSON(runID: outcome.runID, retrainedFrom: outcome.originalRunID, trial: outcome.trialNumber,
                                                        params: outcome.configuration.params, sameFeaturizer: outcome.sameFeaturizer,
                                                        original: outcome.originalMetrics, retrained: outcome.metrics))
            }
            print("Retrained trial \(outcome.trialNumber) (\(outcome.configuration.algorithm.rawValue): \(outcome.configuration.summary)) as run \(outcome.runID).")
            if !outcome.sameFeaturizer {
                print("Note: the refitted featurizer differs from the trial's (the training table or dictionary changed since), so figures may differ.")
            }
            var table = TextTable(["validation metric", "original", "retrained"])
            for name in ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "threshold"] {
                table.add([name, outcome.originalMetrics[name].map { String(format: "%.4f", $0) } ?? "-",
                           outcome.metrics[name].map { String(format: "%.4f", $0) } ?? "-"])
            }
            print(table.render(), terminator: "")
        }
    }
}
