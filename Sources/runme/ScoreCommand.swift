import ArgumentParser
import DGAModel
import DNSData
import Foundation
import Tracking

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score domain names with the registered DGA model.",
        discussion: """
            Each name (from the arguments, then from --input, one per line; '-' reads standard \
            input) is cut at its public suffix, and the label left of it (www.google.com -> google) \
            is scored: ioc (machine-made, DGA) or legit, the probability of ioc, and the three \
            features that moved the score most (SHAP values, in log-odds toward ioc).

            The model defaults to models:/dns_dga@champion, the version the AutoML task (02_automl) \
            promoted; run the job first. A name that cannot be scored (empty, not a host name, an \
            IP address, or nothing left of the public suffix) gets an error line of its own \
            ({"name": ..., "error": ...} with --json) and the rest are still scored.

            Exit codes: 0 every name scored; 1 at least one name could not be scored; 2 usage \
            error, no store, or no model at the URI (no champion yet).
            """
    )

    @Argument(help: "Domain names to score, e.g. www.google.com.")
    var names: [String] = []

    @Option(name: .long, help: ArgumentHelp("A file of names, one per line ('-' for standard input).", valueName: "file"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp("The model to score with.", valueName: "uri"))
    var model = "models:/\(ModelRegistration.modelName)@\(ModelRegistration.championAlias)"

    @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List file.", valueName: "path"))
    var publicSuffixList = PublicSuffixList.debianPath

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    /// One line of output: a score or an error.
    struct Line: Encodable {
        var name: String
        var domain: String?
        var `class`: String?
        var probability: Double?
        var topFeatures: [Feature]?
        var error: String?

        struct Feature: Encodable {
            var feature: String
            var contribution: Double
        }

        enum CodingKeys: String, CodingKey {
            case name, domain, `class`, probability, error
            case topFeatures = "top_features"
        }
    }

    func validate() throws {
        if names.isEmpty && input == nil { throw ValidationError("give domain names, or --input FILE") }
    }

    func run() throws {
        let allNames = try names + readInput()
        let bundle = try loadModel()
        let suffixes = try PublicSuffixList(path: publicSuffixList)
        var lines = allNames.map { name -> Line in
            switch DomainLabel.extract(name, with: suffixes) {
            case let .success(domain): return Line(name: name, domain: domain)
            case let .failure(error): return Line(name: name, error: error.message)
            }
        }
        let scorable = lines.indices.filter { lines[$0].error == nil }
        let scores = try bundle.score(labels: scorable.compactMap { lines[$0].domain })
        for (index, score) in zip(scorable, scores) {
            lines[index].class = score.predictedClass
            lines[index].probability = score.probability
            lines[index].topFeatures = score.topFeatures.map { Line.Feature(feature: $0.feature, contribution: $0.contribution) }
        }
        if output.json {
            try JSONOutput.print(lines)
        } else {
            var table = TextTable(["name", "domain", "class", "probability", "top features"])
            for line in lines {
                if let error = line.error {
                    table.add([line.name, "-", "error", "-", error])
                } else {
                    let features = (line.topFeatures ?? []).map { "\($0.feature) \(String(format: "%+.2f", $0.contribution))" }.joined(separator: ", ")
                    table.add([line.name, line.domain ?? "", line.class ?? "", String(format: "%.4f", line.probability ?? 0), features])
                }
            }
            print(table.render(), terminator: "")
        }
        if lines.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }

    private func readInput() throws -> [String] {
        guard let input else { return [] }
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: input))
            } catch {
                throw RunmeError(message: "cannot read --input \(input): \(error.localizedDescription)")
            }
        }
        // Blank lines separate nothing: skip them rather than report each as an error.
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func loadModel() throws -> ModelBundle {
        let store: TrackingStore
        do {
            store = try storeOptions.openForReading()
        } catch {
            throw RunmeError(message: "no experiment store at \(storeOptions.directory.path): run the job first (runme run). \(error)")
        }
        do {
            return try ModelBundle(directory: store.resolve(uri: model))
        } catch {
            throw RunmeError(message: "cannot load the model \(model): \(error). Run the job first, so that 02_automl registers a model and a champion.")
        }
    }
}

/// Cuts a name to the domain label the model scores.
enum DomainLabel {
    struct Failure: Error {
        let message: String
    }

    static func extract(_ name: String, with suffixes: PublicSuffixList) -> Result<String, Failure> {
        let host = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard !host.isEmpty else { return .failure(Failure(message: "empty name")) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        guard host.unicodeScalars.allSatisfy({ $0.value >= 0x80 || allowed.contains(Character($0)) }) else {
            return .failure(Failure(message: "not a host name: characters outside letters, digits, '-', '_' and '.'"))
        }
        let parts = suffixes.extract(host)
        guard !parts.isIPAddress else { return .failure(Failure(message: "an IP address has no domain label")) }
        let domain = parts.domain.lowercased()
        guard !domain.isEmpty else { return .failure(Failure(message: "no label left of the public suffix '\(parts.suffix)'")) }
        return .success(domain)
    }
}
