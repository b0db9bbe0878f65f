import Foundation
import TestSupport
import Testing
import Tracking

/// `runme spark-submit` runs the PySpark driver on a real Spark (pip's pyspark, `local[2]`)
/// over the shared sample, and every record's class and score equal `runme score --stdin`'s.
@Suite(.serialized) struct SparkSubmitTests {
    func runme(_ arguments: [String], stdin input: URL? = nil, timeout: Double = 120,
               environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        let child = ChildProcess(binary, arguments, environment: environment, workingDirectory: TestPaths.packageRoot)
        if let input { child.process.standardInput = try FileHandle(forReadingFrom: input) }
        try child.start()
        let (status, timedOut) = child.wait(timeout: timeout)
        return (timedOut ? -9 : status, child.stdout, child.stderr)
    }

    /// A record's identity and outcome, as both sides report it.
    struct Outcome: Hashable, CustomStringConvertible {
        var name: String?
        var registeredDomain: String?
        var predictedClass: String?
        var score: Double?
        var error: String?
        var raw: String?
        /// The top features' names and contributions, strongest first.
        var features: [String] = []
        var contributions: [Double] = []
        var description: String { "\(name ?? "-") \(predictedClass ?? "-") \(score.map { String($0) } ?? "-") \(error ?? "")" }
    }

    static func features(_ object: [String: Any]) -> (names: [String], values: [Double]) {
        let list = object["top_features"] as? [[String: Any]] ?? []
        return (list.compactMap { $0["feature"] as? String }, list.compactMap { $0["contribution"] as? Double })
    }

    @Test func sparkScoresEveryRecordAsRunmeDoesAndKeepsBadLinesAsErrorRows() async throws {
        let directory = try TemporaryDirectory("spark-submit")
        let storePath = directory.file("store").path
        let store = try TrackingStore.open(at: URL(fileURLWithPath: storePath))
        _ = try await AutoMLFixture.trainAndRegister(store: store, data: AutoMLFixture.dataset(), maxTrials: 3)

        // The sample's 1,000 records and the three streaming ones, with two malformed lines.
        let events = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
        let latest = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
        let eventLines = events.split(whereSeparator: \.isNewline).map(String.init)
        let latestLines = latest.split(whereSeparator: \.isNewline).map(String.init)
        let input = directory.file("logs.json")
        try (Array(eventLines.prefix(400)) + ["{broken json"] + latestLines + ["{\"rrname\": 7}"] + Array(eventLines.dropFirst(400)))
            .joined(separator: "\n").appending("\n").write(to: input, atomically: true, encoding: .utf8)

        // The dry run names the pieces it ships.
        let work = directory.file("work").path
        let dry = try runme(["spark-submit", "--store", storePath, "--input", input.path, "--output", directory.file("unused").path,
                             "--work-dir", work, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("--archives \(work)/runme_model.tar.gz#runme_model"))
        #expect(dry.stdout.contains("Jobs/spark/score_dns.py --input \(input.path)"))

        // The real run: two partitions on local[2].
        let output = directory.file("scored").path
        let submit = try runme(["spark-submit", "--store", storePath, "--input", input.path, "--output", output,
                                "--master", "local[2]", "--partitions", "2", "--work-dir", work,
                                "--conf", "spark.ui.enabled=false"], timeout: 600)
        #expect(submit.status == 0, "spark-submit failed: \(submit.stderr.suffix(3000))")

        // One machine: the same bundle through `runme score --stdin`.
        let local = try runme(["score", "--stdin", "--format", "cof", "--model-dir", "\(work)/model", "--top-features", "approx"], stdin: input)
        #expect(local.status == 0, "\(local.stderr)")
        let expected = try local.stdout.split(separator: "\n").map { line -> Outcome in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Outcome(name: object["name"] as? String, registeredDomain: object["registered_domain"] as? String,
                           predictedClass: object["class"] as? String, score: object["score"] as? Double,
                           error: object["error"] as? String, raw: object["raw"] as? String,
                           features: Self.features(object).names, contributions: Self.features(object).values)
        }
        #expect(expected.count == eventLines.count + latestLines.count + 2)

        // Spark's Parquet, read back with pyarrow.
        let dump = try LocalServers.runPython("""
            import json, sys
            import pyarrow.parquet as pq
            for row in pq.read_table(sys.argv[1]).to_pylist():
                print(json.dumps({k: row[k] for k in ("domain", "domain_tldextract", "class", "score", "error", "raw", "partition", "top_features")}))
            """, arguments: [output], timeout: 120)
        var partitions = Set<Int>()
        let actual = try dump.split(separator: "\n").map { line -> Outcome in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let partition = object["partition"] as? Int { partitions.insert(partition) }
            return Outcome(name: object["domain"] as? String, registeredDomain: object["domain_tldextract"] as? String,
                           predictedClass: object["class"] as? String, score: object["score"] as? Double,
                           error: object["error"] as? String, raw: object["raw"] as? String,
                           features: Self.features(object).names, contributions: Self.features(object).values)
        }
        #expect(partitions == [0, 1])
        // Records may come back in another order across partitions: compare as multisets.
        func counted(_ outcomes: [Outcome]) -> [Outcome: Int] { outcomes.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
        #expect(actual.count == expected.count)
        let fromSpark = counted(actual), fromRunme = counted(expected)
        let differing = fromRunme.filter { fromSpark[$0.key] != $0.value }.map(\.key)
        #expect(differing.isEmpty, "\(differing.count) records Spark lost or scored differently from runme score --stdin, e.g. \(differing.prefix(5))")

        let errors = actual.filter { $0.error != nil }
        #expect(Set(errors.compactMap(\.raw)) == ["{broken json", "{\"rrname\": 7}"])
        let agentTesla = try #require(actual.first { $0.name == "ns1.asdklgb.cf." })
        #expect(agentTesla.registeredDomain == "asdklgb.cf")
        #expect(agentTesla.features.count == 3)

        // Without --work-dir, runme's temporary directory is removed after a run, failed or not,
        // and kept after a dry run, whose printed command ships the archive inside it.
        let scratch = directory.file("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let failing = try runme(["spark-submit", "--store", storePath, "--input", input.path, "--output", directory.file("unused").path,
                                 "--spark-submit", "/bin/false"], environment: ["TMPDIR": scratch.path])
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        let kept = try runme(["spark-submit", "--store", storePath, "--input", input.path, "--output", directory.file("unused").path,
                              "--dry-run"], environment: ["TMPDIR": scratch.path])
        #expect(kept.status == 0, "\(kept.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        #expect(left.count == 1 && left.allSatisfy { $0.hasPrefix("runme-spark-") })
        #expect(left.allSatisfy { kept.stdout.contains(scratch.appendingPathComponent($0).appendingPathComponent("runme_model.tar.gz").path) })
    }

    @Test func refusesFormatsThatSpanLinesAndAMissingBundle() throws {
        let directory = try TemporaryDirectory("spark-submit-bad")
        let zeek = try runme(["spark-submit", "--input", "x", "--output", "y", "--format", "zeek", "--dry-run"])
        #expect(zeek.status == 2)
        #expect(zeek.stderr.contains("line-by-line formats only"))
        let scratch = directory.file("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let bundle = try runme(["spark-submit", "--input", "x", "--output", "y", "--model-dir", directory.url.path, "--dry-run"],
                               environment: ["TMPDIR": scratch.path])
        #expect(bundle.status == 2)
        #expect(bundle.stderr.contains("not an exported model bundle"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "a failed dry run leaves no directory behind")
    }
}
