import ArgumentParser
import Foundation
import JobRunner
import Lakehouse
import Reports
import Tracking

/// The entry point: parses the command line, runs the command, and maps every error to
/// the documented exit codes (0 success, 1 the job failed, 2 usage or configuration error).
@main
enum RunmeMain {
    static func main() async {
        do {
            var command = try Runme.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as RunmeError {
            FileHandle.standardError.write(Data("runme: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode.rawValue)
        } catch let error where isConfigurationError(error) {
            FileHandle.standardError.write(Data("runme: \(error)\n".utf8))
            Foundation.exit(ExitCode.configuration.rawValue)
        } catch {
            let code = Runme.exitCode(for: error)
            if code == .success {
                Runme.exit(withError: error)
            }
            // Parse errors: print ArgumentParser's message and usage, but exit 2 as documented.
            if code == .validationFailure || code.rawValue == 64 {
                FileHandle.standardError.write(Data((Runme.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitCode.configuration.rawValue)
            }
            FileHandle.standardError.write(Data("runme: \(error)\n".utf8))
            Foundation.exit(ExitCode.failure.rawValue)
        }
    }

    /// Errors that mean the input or the store is wrong, not that a job failed.
    static func isConfigurationError(_ error: Error) -> Bool {
        error is ManifestErrors || error is ManifestError || error is RunRequestError || error is JobRunStoreError
            || error is TrackingError || error is Migrator.MigrationError || error is SQLiteError || error is LakehouseError || error is ReportError
    }
}

extension ExitCode {
    /// Usage or configuration error: a bad manifest, parameter, store or option.
    static let configuration = ExitCode(2)
}

/// An error the CLI reports itself, with its exit code.
struct RunmeError: Error {
    var message: String
    var exitCode: ExitCode = .configuration
}

struct Runme: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runme",
        abstract: "Run the DNS analytics job and track its experiments, on one machine.",
        discussion: """
            runme runs a multi-step job defined by a manifest (Jobs/dns_analytics.json, shaped like a \
            Databricks Jobs 2.1 job), records every task run, parameter, metric and artifact in an \
            experiment store (SQLite, ./Experiments by default), and lets you rerun single tasks, \
            repair failed runs and inspect what happened. `runme` alone runs the whole job; \
            `runme score NAME...` classifies domain names with the model the job registered; \
            `runme alerts check` evaluates the SQL alerts on the results.

            Exit codes:
              0    success
              1    the job failed, timed out or was cancelled
              2    usage or configuration error: bad option, manifest, parameter or store
              130  a second Ctrl-C ended a run at once, without waiting for its tasks
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self,
            RepairCommand.self,
            RunsCommand.self,
            ExperimentsCommand.self,
            ModelsCommand.self,
            ScoreCommand.self,
            SQLCommand.self,
            TrialsCommand.self,
            ReportCommand.self,
            CompareCommand.self,
            DashboardCommand.self,
            AlertsCommand.self,
            MLflowCommand.self,
            SparkSubmitCommand.self,
            BenchCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
