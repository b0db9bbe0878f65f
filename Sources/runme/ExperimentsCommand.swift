import ArgumentParser
import Foundation
import Tracking

struct ExperimentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List the experiments in the store, with their run counts."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct ExperimentJSON: Encodable {
        var experimentID: Int64
        var name: String
        var artifactLocation: String
        var creationTime: String?
        var runCount: Int
        var lastRunTime: String?
        var tags: [String: String]
    }

    func run() throws {
        let store = try storeOptions.openForReading()
        let experiments = try store.experiments()
        if output.json {
            try JSONOutput.print(experiments.map { summary in
                ExperimentJSON(
                    experimentID: summary.experiment.id, name: summary.experiment.name,
                    artifactLocation: summary.experiment.artifactLocation.path,
                    creationTime: Format.iso(summary.experiment.creationTime.timeIntervalSince1970),
                    runCount: summary.runCount, lastRunTime: Format.iso(summary.lastRunTime?.timeIntervalSince1970),
                    tags: summary.experiment.tags)
            })
            return
        }
        guard !experiments.isEmpty else {
            print("No experiments in \(store.directory.path) yet: `runme run` creates one per job.")
            return
        }
        var table = TextTable(["id", "name", "runs", "last run", "artifacts"])
        for summary in experiments {
            table.add([String(summary.experiment.id), summary.experiment.name, String(summary.runCount),
                       Format.timestamp(summary.lastRunTime?.timeIntervalSince1970), summary.experiment.artifactLocation.path])
        }
        print(table.render(), terminator: "")
    }
}

struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List registered models, or the versions of one.",
        discussion: """
            Without a name, lists the registered models with their latest version and aliases. \
            With a name, lists that model's versions: source URI, run, aliases and where its \
            files are.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "A registered model's name, to list its versions.")
    var name: String?

    struct ModelJSON: Encodable {
        var name: String
        var description: String
        var latestVersion: Int64?
        var aliases: [String: Int64]
        var lastUpdatedTime: String?
    }

    struct VersionJSON: Encodable {
        var name: String
        var version: Int64
        var source: String
        var runID: String?
        var status: String
        var aliases: [String]
        var creationTime: String?
        var path: String?
    }

    func run() throws {
        let store = try storeOptions.openForReading()
        if let name {
            let versions = try store.modelVersions(name: name)
            let rows = versions.map { version in
                VersionJSON(name: version.name, version: version.version, source: version.source, runID: version.runID,
                            status: version.status.rawValue, aliases: version.aliases,
                            creationTime: Format.iso(version.creationTime.timeIntervalSince1970),
                            path: (try? store.resolve(uri: "models:/\(version.name)/\(version.version)"))?.path)
            }
            if output.json { return try JSONOutput.print(rows) }
            var table = TextTable(["version", "aliases", "created", "source", "path"])
            for row in rows {
                table.add([String(row.version), row.aliases.map { "@" + $0 }.joined(separator: " "),
                           Format.timestamp(versions.first { $0.version == row.version }?.creationTime.timeIntervalSince1970),
                           row.source, row.path ?? "(missing on disk)"])
            }
            print(table.render(), terminator: "")
            return
        }
        let models = try store.registeredModels()
        if output.json {
            return try JSONOutput.print(models.map {
                ModelJSON(name: $0.name, description: $0.description, latestVersion: $0.latestVersion, aliases: $0.aliases,
                          lastUpdatedTime: Format.iso($0.lastUpdatedTime.timeIntervalSince1970))
            })
        }
        guard !models.isEmpty else {
            print("No registered models in \(store.directory.path) yet: the AutoML task registers its best model.")
            return
        }
        var table = TextTable(["name", "latest", "aliases", "updated", "description"])
        for model in models {
            table.add([model.name, model.latestVersion.map { "v\($0)" } ?? "", model.aliases.sorted { $0.key < $1.key }.map { "@\($0.key)=v\($0.value)" }.joined(separator: " "),
                       Format.timestamp(model.lastUpdatedTime.timeIntervalSince1970), String(model.description.prefix(60))])
        }
        print(table.render(), terminator: "")
    }
}
