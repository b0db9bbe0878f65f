import ArgumentParser
import DNSData
import Foundation
import Tracking

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure runme's speed on fixed workloads and print the figures.",
        discussion: "Figures mean something only from a release build: swift build -c release, then .build/release/runme bench store.",
        subcommands: [StoreBench.self, IngestBench.self, TrainBench.self, ScoreBench.self, PipelineBench.self, ReportBench.self]
    )

    struct StoreBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Tracking-store throughput: runs/s and metric points/s, one call at a time and batched.",
            discussion: """
                Creates a fresh store in a temporary directory (or under --dir) and measures: runs \
                created per second, each with 10 params and 20 metrics logged one call at a time, \
                then with one batch call per run; and metric points per second for 10,000 steps of \
                one metric logged one call at a time, then 100,000 points in one batch. Every call \
                commits before it returns (WAL, synchronous=NORMAL): a returned call survives a \
                crash of the process. MLflow 3.17's figures on the same machine are shown beside.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Where to create the benchmark store (removed afterwards).", valueName: "dir"))
        var dir: String?

        @Flag(name: .long, help: "A quick pass with small sizes (checks that every path works; figures are not meaningful).")
        var smoke = false

        @OptionGroup var output: OutputOptions

        struct FigureJSON: Encodable {
            var name: String
            var value: Double
            var unit: String
            var target: Double?
            var mlflow: Double?
            var meetsTarget: Bool?
        }

        func run() throws {
            let base = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
            #if DEBUG
            FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
            #endif
            let figures = try StoreBenchmark.run(in: base, sizes: smoke ? .smoke : .standard) { line in
                if !output.json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
            }
            if output.json {
                try JSONOutput.print(figures.map {
                    FigureJSON(name: $0.name, value: $0.value, unit: $0.unit, target: $0.target, mlflow: $0.mlflowReference, meetsTarget: $0.meetsTarget)
                })
                return
            }
            var table = TextTable(["measure", "value", "unit", "target", "MLflow 3.17", "vs MLflow"])
            for figure in figures {
                table.add([figure.name, Format.number(figure.value.rounded()), figure.unit,
                           figure.target.map { Format.number($0) + (figure.meetsTarget == true ? " met" : " NOT met") } ?? "",
                           figure.mlflowReference.map(Format.number) ?? "",
                           figure.mlflowReference.map { String(format: "x%.0f", figure.value / $0) } ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }

    struct IngestBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Ingest throughput: COF JSON lines to committed bronze_dns rows, and hostnames through domain extraction.",
            discussion: """
                Generates a file of COF JSON lines (1,000,000 by default), loads it into a fresh \
                lakehouse in one transaction and reports records per second up to the commit; then \
                extracts registered domains with the Public Suffix List from realistic hostnames \
                (the built-in sample's, or those of --data DIR) and reports hostnames per second. \
                Both run on one core. For comparison on this machine: Python's json plus tldextract \
                reads 66,000 records/s; tldextract alone extracts 121,000 hostnames/s.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Where to create the benchmark files (removed afterwards).", valueName: "dir"))
        var dir: String?

        @Option(name: .long, help: "How many COF lines to generate and load.")
        var lines: Int = 1_000_000

        @Option(name: .long, help: ArgumentHelp("A sample data directory (alexa_100k.txt, dns_events.json) for the hostnames; default: the built-in sample.", valueName: "dir"))
        var data: String?

        @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List.", valueName: "path"))
        var publicSuffixList: String = PublicSuffixList.debianPath

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if lines < 1 { throw ValidationError("--lines must be at least 1") }
        }

        func run() throws {
            let base = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
            #if DEBUG
            FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
            #endif
            let report: (String) -> Void = { line in
                if !output.json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
            }
            var figures: [BenchFigure] = try IngestBenchmark.run(in: base, lines: lines, progress: report).map {
                BenchFigure(name: $0.name, value: $0.value, unit: $0.unit,
                           target: $0.unit == "records/s" && $0.name.contains("commit") ? IngestBenchmark.targetRecordsPerSecond : nil)
            }
            let psl = try PublicSuffixList(path: publicSuffixList)
            let hostnames: [String]
            if let data {
                hostnames = try DomainBenchmark.sampleHostnames(dataDirectory: URL(fileURLWithPath: data, isDirectory: true))
            } else {
                let sample = base.appendingPathComponent("runme-bench-sample-\(UUID().uuidString.prefix(8))", isDirectory: true)
                defer { try? FileManager.default.removeItem(at: sample) }
                _ = try BuiltinSample(seed: 42, brands: ["google.com"]).write(to: sample, dictionary: URL(fileURLWithPath: "/usr/share/dict/words"))
                hostnames = try DomainBenchmark.sampleHostnames(dataDirectory: sample)
            }
            let domains = DomainBenchmark.run(psl: psl, hostnames: hostnames, progress: report)
            figures.append(BenchFigure(name: "hostnames through domain extraction (wall clock)", value: domains.hostnamesPerSecond, unit: "hostnames/s", target: 3_000_000))
            figures.append(BenchFigure(name: "hostnames through domain extraction (per CPU second)", value: domains.cpuHostnamesPerSecond, unit: "hostnames/s", target: nil))
            if output.json { return try JSONOutput.print(figures) }
            print(BenchFigure.table(figures), terminator: "")
        }
    }
}
