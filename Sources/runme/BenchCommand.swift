import ArgumentParser
import Foundation
import Tracking

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure runme's speed on fixed workloads and print the figures.",
        discussion: "Figures mean something only from a release build: swift build -c release, then .build/release/runme bench store.",
        subcommands: [StoreBench.self, IngestBench.self]
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
}
