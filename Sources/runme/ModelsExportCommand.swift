import ArgumentParser
import DGAModel
import DNSData
import Digest
import Foundation
import Tracking

/// What an exported model bundle holds besides the model directory's three files.
enum ModelExport {
    /// The bundle's own manifest.
    static let manifestFileName = "bundle.json"
    /// The Public Suffix List the bundle's scorer extracts domains with.
    static let publicSuffixListFileName = "public_suffix_list.dat"
    /// `format` of `bundle.json`.
    static let formatName = "runme-model-bundle"

    /// `bundle.json`.
    struct Manifest: Codable {
        var format = ModelExport.formatName
        var runmeVersion: String
        var modelURI: String
        var modelSource: String
        var exportedAt: String
        var algorithm: String
        var input: String
        var threshold: Double
        var featurizerVersion: Int
        var featurizerFingerprint: String
        /// How `runme score` will predict with it: `compiled` or the library fallback's reason.
        var predictor: String
        /// SHA-256 of every file, by name.
        var files: [String: String]

        enum CodingKeys: String, CodingKey {
            case format, algorithm, input, threshold, predictor, files
            case runmeVersion = "runme_version"
            case modelURI = "model_uri"
            case modelSource = "model_source"
            case exportedAt = "exported_at"
            case featurizerVersion = "featurizer_version"
            case featurizerFingerprint = "featurizer_fingerprint"
        }
    }
}

/// `runme models`: listing by default (`runme models [NAME]`), and `runme models export`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List registered models or the versions of one (models [list] [NAME]), or export one (models export URI DIR).",
        subcommands: [ModelsListCommand.self, ModelsExportCommand.self],
        defaultSubcommand: ModelsListCommand.self
    )
}

struct ModelsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a self-contained model bundle that scores without the store.",
        discussion: """
            Resolves URI (models:/dns_dga@champion, models:/NAME/VERSION or runs:/RUN_ID/model) in the \
            store and writes to DIR: model.json (the XGBoost JSON model), featurizer.json (the \
            featurizer with all its reference tables: n-gram counts, character model, dictionary), \
            MLmodel.json (features, threshold), public_suffix_list.dat (the list domains are cut \
            with), and bundle.json (runme version, the model URI and where it resolved, the \
            predictor runme will use, and the SHA-256 of every file). The bundle is loaded and a \
            test name scored before the command returns. Score with it anywhere, without a store: \
            runme score --model-dir DIR NAME..., or runme score --stdin --model-dir DIR.

            DIR must be empty or not exist yet. Exit codes: 0 written; 2 no store, no model at the \
            URI, or DIR not empty.
            """
    )

    @Argument(help: "The model to export, e.g. models:/dns_dga@champion.")
    var uri: String

    @Argument(help: "The directory to write the bundle to.")
    var directory: String

    @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List to include.", valueName: "path"))
    var publicSuffixList = PublicSuffixList.debianPath

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let fileManager = FileManager.default
        let target = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        if let existing = try? fileManager.contentsOfDirectory(atPath: target.path), !existing.isEmpty {
            throw RunmeError(message: "\(target.path) is not empty: give a new or empty directory")
        }
        let store: TrackingStore
        do {
            store = try storeOptions.openForReading()
        } catch {
            throw RunmeError(message: "\(error)")
        }
        let source: URL
        let bundle: ModelBundle
        do {
            source = try store.resolve(uri: uri)
            bundle = try ModelBundle(directory: source)
        } catch {
            throw RunmeError(message: "cannot load the model \(uri): \(error)")
        }
        // The list is checked by parsing it, so that a bundle never ships one it cannot read.
        _ = try PublicSuffixList(path: publicSuffixList)
        do {
            try fileManager.createDirectory(at: target, withIntermediateDirectories: true)
            let copies = [
                (source.appendingPathComponent(ModelManifest.modelFileName), ModelManifest.modelFileName),
                (source.appendingPathComponent(ModelManifest.featurizerFileName), ModelManifest.featurizerFileName),
                (source.appendingPathComponent(ModelManifest.fileName), ModelManifest.fileName),
                (URL(fileURLWithPath: publicSuffixList), ModelExport.publicSuffixListFileName),
            ]
            var hashes: [String: String] = [:]
            for (from, name) in copies {
                let data = try Data(contentsOf: from)
                try data.write(to: target.appendingPathComponent(name))
                hashes[name] = SHA256.hex(of: data)
            }
            let manifest = ModelExport.Manifest(
                runmeVersion: Runme.configuration.version, modelURI: uri, modelSource: source.path,
                exportedAt: ISO8601DateFormatter().string(from: Date()), algorithm: bundle.manifest.algorithm.rawValue,
                input: bundle.manifest.input, threshold: bundle.manifest.threshold, featurizerVersion: bundle.featurizer.version,
                featurizerFingerprint: bundle.manifest.featurizerFingerprint,
                predictor: bundle.compiledFallbackReason.map { "xgboost library (\($0))" } ?? "compiled", files: hashes)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: target.appendingPathComponent(ModelExport.manifestFileName))
        } catch {
            throw RunmeError(message: "cannot write the bundle to \(target.path): \(error.localizedDescription)")
        }
        // Prove the copy is whole: load it back and score one name.
        let copy = try ModelBundle(directory: target)
        _ = try copy.score(labels: ["google"])
        print("Exported \(uri) (\(bundle.manifest.algorithm.rawValue), \(bundle.compiled == nil ? "library predictor" : "compiled predictor")) to \(target.path)")
        print("Score with it: runme score --model-dir \(target.path) NAME...   or   runme score --stdin --model-dir \(target.path)")
    }
}
