import ArgumentParser
import DGAModel
import DNSData
import Foundation
import Pipeline

extension BenchCommand {
    struct ScoreBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score",
            abstract: "Scoring throughput: domains/s through featurize + predict (one core, all cores) and log records/s end to end.",
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
                shared machine, wall-clock time also counts other processes' turns on the cores). \
                Then, unless --lines 0 or --model-dir, the scoring pipeline end to end (what \
                `runme bench pipeline` measures): --lines generated COF lines read, parsed, \
                extracted, scored, enriched and committed to dns_log_analytics (to the commit; \
                the per-CPU-second figure includes the WAL checkpoint that follows on another \
                thread); target 300,000 records/s. Before it, unless --lines 0, the same \
                generated lines through `runme score --stdin --top-features approx` in process (read, parse, extract, score, one \
                JSON line out per record, to /dev/null), the streaming scorer the Spark driver \
                pipes each partition through.
                """
        )

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var storeOptions: StoreOptions

        @Option(name: .long, help: ArgumentHelp("A sample data directory (alexa_100k.txt, dns_events.json) for the domains; default: the built-in sample.", valueName: "dir"))
        var data: String?

        @Option(name: .long, help: "COF lines for the end-to-end figure through the scoring pipeline (0: skip it).")
        var lines: Int = 1_000_000

        @Option(name: .long, help: "Domains scored per figure.")
        var domains: Int = 1_000_000

        @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List.", valueName: "path"))
        var publicSuffixList: String = PublicSuffixList.debianPath

        @Option(name: .customLong("top-features"), help: ArgumentHelp(
            "How dns_ioc_latest's top features are found: approx (path attributions, the job's default) or shap (exact TreeSHAP).",
            valueName: "method"))
        var topFeatures: TopFeatureMethod = .pathAttributions
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
            if lines < 0 { throw ValidationError("--lines must be 0 or more") }
        }

        func run() async throws {
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
            var figures = try ScoringBenchmark.run(bundle: bundle, labels: labels, count: domains, progress: report).map {
                FigureJSON(name: $0.name, value: $0.value, perCPUSecond: $0.perCPUSecond, unit: "domains/s", target: $0.target)
            }
            // `runme score --stdin` (what the Spark driver pipes each partition through), in process.
            if lines > 0 {
                report("score --stdin: \(lines) generated COF lines, --top-features approx, output to /dev/null")
                let stdin = try ScoreStream.benchmark(bundle: bundle, suffixes: psl, lines: lines, approximate: true,
                                                      in: FileManager.default.temporaryDirectory)
                report("score --stdin: \(stdin.counts.lines) lines in \(String(format: "%.3f", stdin.seconds)) s wall, \(String(format: "%.3f", stdin.cpuSeconds)) s CPU; \(stdin.counts.labelsScored) distinct labels scored, the rest from the cache")
                figures.append(FigureJSON(name: "score --stdin --top-features approx, COF lines in, JSON lines out",
                                          value: Double(lines) / stdin.seconds, perCPUSecond: Double(lines) / stdin.cpuSeconds,
                                          unit: "records/s", target: nil))  // no target of its own: #8's is for Spark
            }
            // End to end through the scoring pipeline (step 03), which needs the model in a store.
            if lines > 0 {
                if modelOptions.modelDirectory != nil {
                    report("end to end skipped: the pipeline scores with a model in the store (--model), not a bundle")
                } else {
                    let store = try storeOptions.openForReading()
                    let endToEnd = try await PipelineBenchmark.run(store: store, modelURI: modelOptions.model, lines: lines,
                                                                   topFeatures: topFeatures, in: FileManager.default.temporaryDirectory, progress: report)
                    let wall = endToEnd.first { $0.unit == "records/s" && $0.name.contains("end to end") }
                    let perCPU = endToEnd.first { $0.unit == "records/s" && $0.name.contains("per CPU second") }
                    if let wall, let perCPU {
                        figures.append(FigureJSON(name: "COF lines end to end (read, parse, extract, score, enrich, commit)",
                                                  value: wall.value, perCPUSecond: perCPU.value, unit: "records/s",
                                                  target: PipelineBenchmark.targetRecordsPerSecond))
                    }
                }
            }
            if output.json { return try JSONOutput.print(figures) }
            var table = TextTable(["measure", "wall clock", "per CPU second", "unit", "target"])
            for figure in figures {
                table.add([figure.name, Format.number(figure.value.rounded()), Format.number(figure.perCPUSecond.rounded()), figure.unit,
                           figure.target.map { target in
                               // Domains/s targets are per core; the end-to-end target is records/s of wall-clock time.
                               let measured = figure.unit == "records/s" ? figure.value : figure.perCPUSecond
                               return Format.number(target) + (measured >= target ? " met" : " NOT met")
                           } ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }
}
