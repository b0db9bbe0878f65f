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
            features that moved the score most (SHAP values, in log-odds toward ioc). A name is \
            ioc when its probability reaches the model's threshold (chosen out of fold by \
            02_automl, not 0.5), which the line under the table gives with the model.

            The model defaults to models:/dns_dga@champion, the version the AutoML task (02_automl) \
            promoted; run the job first. --model-dir DIR scores with a bundle written by \
            `runme models export` instead, without a store (its Public Suffix List too). A name \
            that cannot be scored (empty, not a host name, an IP address, or nothing left of the \
            public suffix) gets an error line of its own ({"name": ..., "error": ...} with --json) \
            and the rest are still scored.

            --stdin streams DNS log records from standard input (--format cof, csv, names, zeek, \
            zeek-json or suricata; names is a list of names, one a line, read as csv is) and writes \
            one JSON line per record, in input order: {"line", "name", "rrtype", "time_first", \
            "time_last", "domain", "registered_domain", "class", "score", "top_features"}; a record that cannot be \
            parsed or scored gives {"line", "name"?, "error", "raw"?} and the stream goes on. \
            Headers, comments and blank lines give no output. The top features are exact SHAP \
            values (TreeSHAP), which cost hundreds of times the prediction (O(leaves × depth²) per tree); \
            --top-features approx gives path attributions (XGBoost's approx_contribs) at a few \
            times the prediction's cost, for large streams. Records are scored in batches of up \
            to 8,192 (on all cores), while the next batches are read and parsed on another \
            thread; a batch is written as soon as the input pauses, so an interactive pipe gets \
            its answers at once. Logs repeat names: the cut of the last 131,072 to 262,144 names \
            and the scores of as many labels are kept and reused (the same output as scoring \
            again). Memory stays constant whatever the input's length. EOF ends the stream with \
            exit 0.

            Exit codes: 0 every name scored (with --stdin: the input was read to its end); 1 at \
            least one name could not be scored (not with --stdin: errors are lines there); 2 usage \
            error, no store, no model at the URI (no champion yet), or an input that is not the \
            --format given.
            """
    )

    @Argument(help: "Domain names to score, e.g. www.google.com.")
    var names: [String] = []

    @Option(name: .long, help: ArgumentHelp("A file of names, one per line ('-' for standard input).", valueName: "file"))
    var input: String?

    @Flag(name: .long, help: "Stream DNS log records from standard input, one JSON line out per record.")
    var stdin = false

    @Option(name: .long, help: ArgumentHelp("The layout of --stdin records: cof, csv, names, zeek, zeek-json, suricata.", valueName: "format"))
    var format: String?

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("top-features"), help: ArgumentHelp(
        "How the top three features are found: shap (exact TreeSHAP) or approx (path attributions, a few times the prediction's cost; for large streams).",
        valueName: "method"))
    var topFeatures = "shap"

    @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp(
        "The Public Suffix List file (default: the bundle's with --model-dir, else \(PublicSuffixList.debianPath)).", valueName: "path"))
    var publicSuffixList: String?

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
        if topFeatures != "shap" && topFeatures != "approx" { throw ValidationError("--top-features is shap or approx") }
        if stdin {
            if !names.isEmpty || input != nil { throw ValidationError("--stdin reads records from standard input: give no names and no --input") }
            if output.json { throw ValidationError("--stdin always writes JSON lines: drop --json") }
            if let format, ScoreStream.logFormat(format) == nil {
                throw ValidationError("--format \(format) is not one of cof, csv, names, zeek, zeek-json, suricata")
            }
        } else {
            if format != nil { throw ValidationError("--format applies to --stdin only") }
            if names.isEmpty && input == nil { throw ValidationError("give domain names, --input FILE, or --stdin") }
        }
    }

    /// The Public Suffix List: the option, else an exported bundle's copy, else Debian's.
    var suffixListPath: String {
        if let publicSuffixList { return publicSuffixList }
        if let directory = modelOptions.modelDirectory {
            let bundled = URL(fileURLWithPath: directory).appendingPathComponent(ModelExport.publicSuffixListFileName).path
            if FileManager.default.fileExists(atPath: bundled) { return bundled }
        }
        return PublicSuffixList.debianPath
    }

    func run() throws {
        if stdin {
            let bundle = try modelOptions.load(store: storeOptions)
            let suffixes = try PublicSuffixList(path: suffixListPath)
            let logFormat = ScoreStream.logFormat(format ?? "names") ?? .csv
            try ScoreStream(bundle: bundle, suffixes: suffixes, format: logFormat, approximate: topFeatures == "approx").run(path: "/dev/stdin")
            return
        }
        let allNames = try names + readInput()
        let bundle = try modelOptions.load(store: storeOptions)
        let suffixes = try PublicSuffixList(path: suffixListPath)
        var lines = allNames.map { name -> Line in
            switch DomainLabel.extract(name, with: suffixes) {
            case let .success(domain): return Line(name: name, domain: domain)
            case let .failure(error): return Line(name: name, error: error.message)
            }
        }
        let scorable = lines.indices.filter { lines[$0].error == nil }
        let labels = scorable.compactMap { lines[$0].domain }
        let scores = try topFeatures == "approx" ? bundle.scoreApproximatingContributions(labels: labels) : bundle.score(labels: labels)
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
            print(Self.modelLine(bundle, source: modelOptions.description))
        }
        if lines.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }

    /// The line under the table: which model scored, and where its classes part. Probabilities
    /// are read against that threshold (chosen out of fold by step 02), not against 0.5; a
    /// random forest's never leave 0.119-0.881, which surprises whoever expects 0 and 1.
    static func modelLine(_ bundle: ModelBundle, source: String) -> String {
        var line = "Model \(source) (\(bundle.manifest.algorithm.rawValue)): ioc at probability >= \(String(format: "%.4f", bundle.manifest.threshold))."
        if bundle.manifest.algorithm == .randomForest {
            line += " A random forest's probabilities lie within 0.119-0.881 (RUNME.md, Scores and classes)."
        }
        return line
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
}

/// Cuts a name to the domain label the model scores.
enum DomainLabel {
    /// ASCII bytes a host name may hold: letters (lowercased already), digits, '-', '.', '_'.
    private static let allowedBytes: [Bool] = (0..<128).map { byte in
        let scalar = Unicode.Scalar(UInt8(byte))
        return ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "." || scalar == "_"
    }

    struct Failure: Error {
        let message: String
    }

    /// The label the model scores (www.google.com -> google) and the registered domain
    /// (google.com), or why the name has none.
    struct Extracted {
        let label: String
        let registeredDomain: String
    }

    static func extract(_ name: String, with suffixes: PublicSuffixList) -> Result<String, Failure> {
        extractParts(name, with: suffixes).map(\.label)
    }

    static func extractParts(_ name: String, with suffixes: PublicSuffixList) -> Result<Extracted, Failure> {
        let host = normalized(name)
        guard !host.isEmpty else { return .failure(Failure(message: "empty name")) }
        // Bytes of non-ASCII characters are all >= 0x80: checking bytes checks the characters.
        guard host.utf8.allSatisfy({ $0 >= 0x80 || allowedBytes[Int($0)] }) else {
            return .failure(Failure(message: "not a host name: characters outside letters, digits, '-', '_' and '.'"))
        }
        let parts = suffixes.extract(host)
        guard !parts.isIPAddress else { return .failure(Failure(message: "an IP address has no domain label")) }
        let domain = lowercased(parts.domain)
        guard !domain.isEmpty else {
            // "example..com" has a label left of "com", an empty one: say so, rather than that nothing is there.
            let empty = host.hasPrefix(".") || host.contains("..")
            return .failure(Failure(message: empty ? "an empty label (a leading dot or two dots in a row) where the label left of the public suffix '\(parts.suffix)' should be"
                                                   : "no label left of the public suffix '\(parts.suffix)'"))
        }
        return .success(Extracted(label: domain, registeredDomain: lowercased(parts.registeredDomain)))
    }

    /// The name without surrounding whitespace, lowercased. Names in logs are ASCII with
    /// nothing to trim: those are checked byte by byte and kept as they are (Foundation's
    /// trimming was the largest cost of `score --stdin` after the model); others take the
    /// general path.
    static func normalized(_ name: String) -> String {
        let utf8 = name.utf8
        if let first = utf8.first, let last = utf8.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09,
           utf8.allSatisfy({ $0 < 0x80 }) {
            return lowercased(name)
        }
        return name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `text.lowercased()`, without a copy when it has no ASCII capital (and is ASCII).
    static func lowercased(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) }) ? text : text.lowercased()
    }
}
