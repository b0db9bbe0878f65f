import ArgumentParser
import Foundation
import Reports

extension BenchCommand {
    /// `runme bench report`: the time to make an experiment report.
    struct ReportBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Time to make the experiment report of an AutoML run with 500 trials (target: under 2 s).",
            discussion: """
                Builds a store in a temporary directory with one AutoML run and --trials nested \
                trials shaped like the AutoML step's (three algorithms and their hyperparameters, \
                eight validation metrics, per-round training curves, a test evaluation artifact), \
                then times `runme report --html` end to end: loading from the store, rendering the \
                page and its charts, and writing it. Prints the median of --repeats runs.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Where to create the benchmark store (removed afterwards).", valueName: "dir"))
        var dir: String?

        @Option(name: .long, help: "How many trials.")
        var trials: Int = 500

        @Option(name: .long, help: "How many times to make the report.")
        var repeats: Int = 5

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if trials < 1 { throw ValidationError("--trials must be at least 1") }
            if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        }

        func run() throws {
            let base = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
            #if DEBUG
            FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
            #endif
            let figures = try ReportBenchmark.run(in: base, trials: trials, repeats: repeats) { line in
                if !output.json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
            }
            if output.json { return try JSONOutput.print(figures) }
            var table = TextTable(["measure", "value", "unit", "target"])
            for figure in figures {
                table.add([figure.name, String(format: figure.unit == "s" ? "%.3f" : "%.0f", figure.value), figure.unit,
                           figure.target.map { String(format: "%.0f", $0) + (figure.value < $0 ? " met" : " NOT met") } ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }
}
