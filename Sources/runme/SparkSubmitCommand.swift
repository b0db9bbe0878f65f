import ArgumentParser
import DGAModel
import Foundation

/// `runme spark-submit`: scores DNS logs on a Spark cluster with exactly the model and
/// featurizer runme trained, by shipping this binary and an exported model bundle to the
/// executors and piping each partition through `runme score --stdin`.
struct SparkSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spark-submit",
        abstract: "Score DNS logs on Apache Spark with a runme model (builds and runs spark-submit).",
        discussion: """
            Exports the model (--model, default models:/dns_dga@champion; or takes an exported \
            bundle with --model-dir) into an archive, then runs Spark's spark-submit with the \
            PySpark driver Jobs/spark/score_dns.py: it reads --input (any path Spark's text reader \
            takes: local, s3a://, hdfs://, globs, .gz), ships this runme binary (--files) and the \
            bundle (--archives) to the executors, pipes every partition through \
            `runme score --stdin`, and writes Parquet to --output with the columns domain, \
            domain_tldextract, domain_label, class, score, rrtype, time_first, time_last, \
            event_time, timestamp, top_features, partition, line, error, raw. A malformed record becomes a row with \
            `error` set; it never fails the job.

            spark-submit is $SPARK_HOME/bin/spark-submit, else the first on PATH (pip's pyspark \
            installs one); --spark-submit names another. The executors must run this binary: \
            build it for their Linux with `swift build -c release --static-swift-stdlib` and give \
            them the Debian runtime libraries it links (libcurl4, libsqlite3-0, libxgboost0, \
            liblinear4, libmaxminddb0, libssl3, zlib1g). --dry-run prints the command instead of running it.

            Exit codes: spark-submit's own; 2 for a usage error, no model, no driver script or \
            no spark-submit.
            """
    )

    @Option(help: ArgumentHelp("The DNS logs to score: any path Spark's text reader takes.", valueName: "path"))
    var input: String

    @Option(help: ArgumentHelp("Where the Parquet dataset is written.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("The input's format: cof, csv, names or suricata.", valueName: "format"))
    var format = "cof"

    @Option(help: ArgumentHelp("The model to export and ship.", valueName: "uri"))
    var model = "models:/\(ModelRegistration.modelName)@\(ModelRegistration.championAlias)"

    @Option(name: .customLong("model-dir"), help: ArgumentHelp("An exported model bundle to ship instead of --model.", valueName: "dir"))
    var modelDirectory: String?

    @Option(name: .customLong("top-features"), help: ArgumentHelp(
        "How each record's three strongest features are found: approx (path attributions, a few times the prediction's cost) or shap (exact SHAP values, which cost some 300 times the prediction).",
        valueName: "approx|shap"))
    var topFeatures = "approx"

    @Option(help: ArgumentHelp("Spark's master URL.", valueName: "url"))
    var master = "local[*]"

    @Option(help: ArgumentHelp("Repartition the input into this many partitions first (0: keep Spark's split).", valueName: "n"))
    var partitions = 0

    @Option(help: ArgumentHelp("What to do when --output exists: overwrite, append or error.", valueName: "mode"))
    var mode = "overwrite"

    @Option(name: .customLong("conf"), help: ArgumentHelp("A Spark setting KEY=VALUE passed to spark-submit (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    @Option(help: ArgumentHelp("The PySpark driver (default: Jobs/spark/score_dns.py of this checkout).", valueName: "file"))
    var driver: String?

    @Option(name: .customLong("spark-submit"), help: ArgumentHelp("The spark-submit program to run.", valueName: "path"))
    var sparkSubmit: String?

    @Option(name: .customLong("work-dir"), help: ArgumentHelp("Where the model archive is written (default: a new temporary directory, removed after the run; a --dry-run keeps it).", valueName: "dir"))
    var workDirectory: String?

    @Flag(name: .customLong("dry-run"), help: "Print the spark-submit command and run nothing.")
    var dryRun = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard ["cof", "csv", "names", "suricata"].contains(format) else {
            throw ValidationError("--format \(format): Spark scores line-by-line formats only (cof, csv, names, suricata); score Zeek logs, whose header spans lines, with `runme score --stdin --format zeek`")
        }
        guard topFeatures == "approx" || topFeatures == "shap" else { throw ValidationError("--top-features is approx or shap") }
        guard ["overwrite", "append", "error"].contains(mode) else { throw ValidationError("--mode must be overwrite, append or error") }
        guard partitions >= 0 else { throw ValidationError("--partitions must be 0 or more") }
        for setting in settings where !setting.contains("=") {
            throw ValidationError("--conf \(setting): expected KEY=VALUE")
        }
    }

    func run() throws {
        let fileManager = FileManager.default
        let driverPath = try locateDriver()
        let submit = try locateSparkSubmit()
        let binary = try currentExecutable()

        let work: URL
        if let workDirectory {
            work = URL(fileURLWithPath: workDirectory, isDirectory: true).standardizedFileURL
        } else {
            work = fileManager.temporaryDirectory.appendingPathComponent("runme-spark-\(UUID().uuidString.prefix(8))", isDirectory: true)
        }
        try fileManager.createDirectory(at: work, withIntermediateDirectories: true)
        // A directory runme made is removed after the run, whatever its outcome, except after a
        // dry run that printed its command: that command ships the archive inside.
        var keepWork = workDirectory != nil
        defer { if !keepWork { try? fileManager.removeItem(at: work) } }

        // The bundle: exported here unless one was given, then archived for --archives.
        let bundle: URL
        if let modelDirectory {
            bundle = URL(fileURLWithPath: modelDirectory, isDirectory: true).standardizedFileURL
            guard fileManager.fileExists(atPath: bundle.appendingPathComponent(ModelExport.manifestFileName).path) else {
                throw RunmeError(message: "\(bundle.path) is not an exported model bundle (no \(ModelExport.manifestFileName)); write one with: runme models export URI DIR")
            }
        } else {
            bundle = work.appendingPathComponent("model", isDirectory: true)
            if fileManager.fileExists(atPath: bundle.path) { try fileManager.removeItem(at: bundle) }
            let export = try ModelsExportCommand.parse([model, bundle.path, "--store", storeOptions.directory.path])
            try export.run()
        }
        let archive = work.appendingPathComponent("runme_model.tar.gz")
        try? fileManager.removeItem(at: archive)
        let tar = try runProcess("/bin/tar", ["-czf", archive.path, "-C", bundle.path, "."])
        guard tar == 0 else { throw RunmeError(message: "tar could not archive the model bundle \(bundle.path) (exit \(tar))") }

        var command = [submit, "--master", master, "--name", "runme-score-dns",
                       "--files", binary.path, "--archives", "\(archive.path)#runme_model"]
        for setting in settings { command += ["--conf", setting] }
        command += [driverPath, "--input", input, "--output", output, "--format", format,
                    "--runme", binary.lastPathComponent, "--model-dir", "runme_model",
                    "--top-features", topFeatures, "--partitions", String(partitions), "--mode", mode]
        let printable = command.map(Self.shellQuoted).joined(separator: " ")
        if dryRun {
            keepWork = true
            print(printable)
            return
        }
        FileHandle.standardError.write(Data("runme: \(printable)\n".utf8))
        let status = try runProcess(submit, Array(command.dropFirst()), environment: ["OMP_WAIT_POLICY": "passive"])
        guard status == 0 else { throw ExitCode(status) }
        print("Scored \(input) into \(output) (Parquet) with \(modelDirectory ?? model).")
    }

    /// The driver script: --driver, else Jobs/spark/score_dns.py under the working directory
    /// or under the checkout this binary was built in (.build/<config>/runme).
    private func locateDriver() throws -> String {
        if let driver {
            guard FileManager.default.fileExists(atPath: driver) else { throw RunmeError(message: "--driver \(driver): no such file") }
            return URL(fileURLWithPath: driver).standardizedFileURL.path
        }
        let relative = "Jobs/spark/score_dns.py"
        var candidates = [URL(fileURLWithPath: relative)]
        if let binary = try? currentExecutable() {
            var directory = binary.deletingLastPathComponent()
            for _ in 0..<4 {
                directory = directory.deletingLastPathComponent()
                candidates.append(directory.appendingPathComponent(relative))
            }
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw RunmeError(message: "cannot find the Spark driver \(relative): run from the runme checkout, or give --driver FILE")
        }
        return found.standardizedFileURL.path
    }

    private func locateSparkSubmit() throws -> String {
        if let sparkSubmit {
            guard FileManager.default.isExecutableFile(atPath: sparkSubmit) else { throw RunmeError(message: "--spark-submit \(sparkSubmit): not an executable file") }
            return sparkSubmit
        }
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let home = environment["SPARK_HOME"], !home.isEmpty { candidates.append("\(home)/bin/spark-submit") }
        for directory in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(directory)/spark-submit") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RunmeError(message: "no spark-submit: set SPARK_HOME, put spark-submit on PATH (pip install pyspark gives one), or give --spark-submit PATH")
        }
        return found
    }

    /// This process's executable, as the kernel knows it (argv[0] may be relative or a link).
    private func currentExecutable() throws -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        guard let first = CommandLine.arguments.first else { throw RunmeError(message: "cannot tell where the runme binary is") }
        return URL(fileURLWithPath: first).standardizedFileURL
    }

    private func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        do {
            try process.run()
        } catch {
            throw RunmeError(message: "cannot start \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,#[]*")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
