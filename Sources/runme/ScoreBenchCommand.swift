import ArgumentParser
import DGAModel
import DNSData
import Foundation

extension BenchCommand {
    struct ScoreBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score",
            abstract: "Scoring throughput: domains/s through featurize + predict, on one core and on all cores.",
            discussion: """
                Loads the model (--model URI from the store, default the champion, or --model-dir \
                DIR, an exported bundle), takes the registered-domain labels of realistic \
                hostnames (those of --data DIR: alexa_100k.txt and dns_events.json, or the built-in \
                sample's), cycles them to --domains labels (1,000,000 by default) and measures, \
                after a warm-up pass: the featurizer alone on one core; featurize + the compiled \
                predictor on one core and on all cores; featurize + predict + the top three SHAP \
                contributions (what runme score --stdin computes) on all cores; and featurize + \
                XGBoost's own predict through a DMatrix on one thread, for comparison. For \
                reference, on this machine: the accelerator's model as its pipeline calls it, one \
                domain per call, 178 domains/s; batched with scikit-learn, 13,950 domains/s. \
                Target: 1,000,000 domains/s per core. Each figure is given per second of wall-clock \
                time and per second of CPU time used by the process (the per-core rate: on a \
                shared machine, wall-clock time also counts other processes' turns on the cores).
                """
        )

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var storeOptions: StoreOptions

        @Option(name: .long, help: ArgumentHelp("A sample data directory (alexa_100k.txt, dns_events.json) for the domains; default: the built-in sample.", valueName: "dir"))
        var data: String?

        @Option(name: .long, help: "Domains scored per figure.")
        var domains: Int = 1_000_000

        @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List.", valueName: "path"))
        var publicSuffixList: String = PublicSuffixList.debianPath

        @OptionGroup var output: OutputOptions

        struct FigureJSON: Encodable {
            var name: String
            var value: Double
            var perCPUSecond: Double
            var unit: String
            var target: Double?
        }

        func validate() throws {
            if domains < 1 { throw ValidationError("--domains must be at least 1") }
        }

        func run() throws {
            #if DEBUG
            FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
            #endif
            let report: (String) -> Void = { line in
                if !output.json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
            }
            let bundle = try modelOptions.load(store: storeOptions)
            let psl = try PublicSuffixList(path: publicSuffixList)
            let hostnames: [String]
            if let data {
                hostnames = try DomainBenchmark.sampleHostnames(dataDirectory: URL(fileURLWithPath: data, isDirectory: true))
            } else {
                let sample = FileManager.default.temporaryDirectory.appendingPathComponent("runme-bench-sample-\(UUID().uuidString.prefix(8))", isDirectory: true)
                defer { try? FileManager.default.removeItem(at: sample) }
                _ = try BuiltinSample(seed: 42, brands: ["google.com"]).write(to: sample, dictionary: URL(fileURLWithPath: "/usr/share/dict/words"))
                hostnames = try DomainBenchmark.sampleHostnames(dataDirectory: sample)
            }
            let labels = hostnames.compactMap { host -> String? in
                if case let .success(label) = DomainLabel.extract(host, with: psl) { return label }
                return nil
            }
            report("\(labels.count) labels from \(hostnames.count) hostnames; model \(modelOptions.description)")
            let figures = try ScoringBenchmark.run(bundle: bundle, labels: labels, count: domains, progress: report).map {
                FigureJSON(name: $0.name, value: $0.value, perCPUSecond: $0.perCPUSecond, unit: "domains/s", target: $0.target)
            }
            // END-TO-END SLOT (for the lead, when merging the `pipeline` branch): append the
            // pipeline's measured figure here, from its public benchmark function, e.g.
            //   let endToEnd = try PipelineBenchmark.run(lines: 1_000_000, model: bundle, progress: report)
            //   figures.append(FigureJSON(name: "COF lines end to end (read, parse, extract, score, enrich, commit)",
            //                             value: endToEnd.recordsPerSecond, perCPUSecond: endToEnd.perCPUSecond,
            //                             unit: "records/s", target: 300_000))
            // (make `figures` a var). Nothing is printed for it until then: this command prints
            // only what it measured.
            if output.json { return try JSONOutput.print(figures) }
            var table = TextTable(["measure", "wall clock", "per CPU second", "unit", "target per core"])
            for figure in figures {
                table.add([figure.name, Format.number(figure.value.rounded()), Format.number(figure.perCPUSecond.rounded()), figure.unit,
                           figure.target.map { Format.number($0) + (figure.perCPUSecond >= $0 ? " met" : " NOT met") } ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }
}
