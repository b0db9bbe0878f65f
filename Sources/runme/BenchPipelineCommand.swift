import ArgumentParser
import Foundation
import Pipeline

/// `runme bench pipeline`: the scoring pipeline end to end (PipelineBenchmark).
struct PipelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Scoring pipeline throughput: COF log records to committed dns_log_analytics rows, end to end.",
        discussion: """
            Generates a file of COF JSON lines (1,000,000 by default) and runs one update of the \
            scoring pipeline (step 03) over it into a fresh lakehouse: read, parse, registered-domain \
            extraction, scoring with the model (each distinct name once), threat-feed and typosquat \
            joins from the store's silver tables, expectations, and the commit. The update ends at \
            the commit; the WAL checkpoint that copies its rows into the database file then runs on \
            a thread of its own, and is shown apart (its time, and the CPU time with it). Needs a \
            store with a model: run the job first. Target: 300,000 records/s in a release build.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where to create the benchmark files (removed afterwards).", valueName: "dir"))
    var dir: String?

    @Option(name: .long, help: "How many COF lines to generate and score.")
    var lines: Int = 1_000_000

    @Option(name: .long, help: ArgumentHelp("The model to score with.", valueName: "uri"))
    var model = "models:/dns_dga@champion"

    @Option(name: .customLong("top-features"), help: ArgumentHelp(
        "How dns_ioc_latest's top features are found: approx (path attributions, the job's default) or shap (exact TreeSHAP).",
        valueName: "method"))
    var topFeatures: TopFeatureMethod = .pathAttributions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if lines < 1 { throw ValidationError("--lines must be at least 1") }
    }

    func run() async throws {
        #if DEBUG
        FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
        #endif
        let store = try storeOptions.openForReading()
        let base = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
        let json = output.json
        let figures = try await PipelineBenchmark.run(store: store, modelURI: model, lines: lines, topFeatures: topFeatures, in: base) { line in
            if !json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }.map { BenchFigure(name: $0.name, value: $0.value, unit: $0.unit, target: $0.unit == "records/s" && $0.name.contains("end to end") ? PipelineBenchmark.targetRecordsPerSecond : nil) }
        if json { return try JSONOutput.print(figures) }
        print(BenchFigure.table(figures), terminator: "")
    }
}

extension TopFeatureMethod: ExpressibleByArgument {}
