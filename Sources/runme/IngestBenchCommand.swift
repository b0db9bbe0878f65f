import ArgumentParser
import DNSData
import Foundation

/// `runme bench ingest`: COF JSON lines to committed `bronze_dns` rows.
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest throughput: passive-DNS COF JSON lines to committed bronze_dns rows, in records/s and MB/s.",
        discussion: """
            Generates a file of realistic COF lines (deterministic), loads it into a fresh \
            lakehouse in one transaction (WAL, synchronous=NORMAL) and prints the rate from the \
            start of the load to its commit, the parse rate alone, and the WAL checkpoint that \
            follows the commit. Python's json with tldextract does about 66,000 records/s.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where to create the benchmark files (removed afterwards).", valueName: "dir"))
    var dir: String?

    @Option(name: .long, help: "Lines to generate and load.")
    var lines = 1_000_000

    @OptionGroup var output: OutputOptions

    struct FigureJSON: Encodable {
        var name: String
        var value: Double
        var unit: String
    }

    func validate() throws {
        guard lines > 0 else { throw ValidationError("--lines must be positive") }
    }

    func run() throws {
        let base = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
        #if DEBUG
        FileHandle.standardError.write(Data("runme: this is a debug build; benchmark figures are only meaningful from a release build (swift build -c release)\n".utf8))
        #endif
        let figures = try IngestBenchmark.run(in: base, lines: lines) { line in
            if !output.json { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }
        if output.json {
            try JSONOutput.print(figures.map { FigureJSON(name: $0.name, value: $0.value, unit: $0.unit) })
            return
        }
        var table = TextTable(["measure", "value", "unit"])
        for figure in figures {
            table.add([figure.name, figure.unit == "s" ? String(format: "%.2f", figure.value) : Format.number(figure.value.rounded()), figure.unit])
        }
        print(table.render(), terminator: "")
    }
}
