import DGAModel
import Foundation
import TestSupport
import Testing
import Tracking

/// `runme models export`, `runme score --model-dir` and `runme score --stdin` through the built
/// binary, on the shared sample's DNS logs.
@Suite(.serialized) struct ScoreStreamTests {
    func binary() throws -> URL {
        try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
    }

    /// Runs runme with `input` as its standard input (a file), to completion.
    func runme(_ arguments: [String], stdin input: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = ChildProcess(try binary(), arguments, workingDirectory: TestPaths.packageRoot)
        if let input { child.process.standardInput = try FileHandle(forReadingFrom: input) }
        try child.start()
        let (status, timedOut) = child.wait(timeout: 120)
        return (timedOut ? -9 : status, child.stdout, child.stderr)
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test func exportedBundleScoresTheStreamLikeTheStore() async throws {
        let directory = try TemporaryDirectory("score-stream")
        let storePath = directory.file("store").path
        let store = try TrackingStore.open(at: URL(fileURLWithPath: storePath))
        _ = try await AutoMLFixture.trainAndRegister(store: store, data: AutoMLFixture.dataset(), maxTrials: 3)

        // Export, then check the bundle's files and manifest.
        let bundlePath = directory.file("bundle").path
        let export = try runme(["models", "export", "models:/dns_dga@champion", bundlePath, "--store", storePath])
        #expect(export.status == 0, "\(export.stderr)")
        for name in ["model.json", "featurizer.json", "MLmodel.json", "public_suffix_list.dat", "bundle.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.file("bundle/\(name)").path), "\(name) missing")
        }
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.file("bundle/bundle.json"))) as? [String: Any])
        #expect(manifest["model_uri"] as? String == "models:/dns_dga@champion")
        #expect(manifest["runme_version"] as? String == "0.1.0")
        #expect((manifest["files"] as? [String: String])?.keys.sorted() == ["MLmodel.json", "featurizer.json", "model.json", "public_suffix_list.dat"])
        let again = try runme(["models", "export", "models:/dns_dga@champion", bundlePath, "--store", storePath])
        #expect(again.status == 2 && again.stderr.contains("not empty"))
        let missing = try runme(["models", "export", "models:/dns_dga/9", directory.file("other").path, "--store", storePath])
        #expect(missing.status == 2 && missing.stderr.contains("models:/dns_dga/9"))

        // A COF stream: the sample's 1,000 records, the three streaming ones, and junk lines.
        let events = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
        let latest = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
        let eventLines = events.split(whereSeparator: \.isNewline).map(String.init)
        let latestLines = latest.split(whereSeparator: \.isNewline).map(String.init)
        let junk = ["{not json", "{\"rrname\": 5}"]
        let input = directory.file("stream.json")
        try (Array(eventLines.prefix(500)) + [junk[0]] + latestLines + [junk[1]] + Array(eventLines.dropFirst(500)))
            .joined(separator: "\n").appending("\n").write(to: input, atomically: true, encoding: .utf8)
        let stream = try runme(["score", "--stdin", "--format", "cof", "--model-dir", bundlePath], stdin: input)
        #expect(stream.status == 0, "\(stream.stderr)")
        let rows = try Self.jsonLines(stream.stdout)
        #expect(rows.count == eventLines.count + latestLines.count + junk.count)
        #expect(rows.map { $0["line"] as? Int } == Array(1...rows.count).map { Optional($0) }, "lines out of order")
        #expect(rows[500]["error"] as? String != nil && rows[500]["raw"] as? String == junk[0])
        #expect(rows[504]["error"] as? String != nil)
        let agentTesla = try #require(rows.first { $0["name"] as? String == "ns1.asdklgb.cf." })
        #expect(agentTesla["domain"] as? String == "asdklgb")
        #expect(agentTesla["class"] as? String == "ioc")
        #expect((agentTesla["top_features"] as? [[String: Any]])?.count == 3)
        let google = try #require(rows.first { $0["name"] as? String == "google.com" })
        #expect(google["class"] as? String == "legit")

        // The same names through `runme score --json` with the store's model: same class and score.
        let scored = rows.filter { $0["score"] != nil }
        #expect(scored.count > 900)
        let names = scored.prefix(300).compactMap { $0["name"] as? String }
        let namesFile = directory.file("names.txt")
        try names.joined(separator: "\n").write(to: namesFile, atomically: true, encoding: .utf8)
        let reference = try runme(["score", "--input", namesFile.path, "--json", "--store", storePath])
        let referenceRows = try #require(try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [[String: Any]])
        #expect(referenceRows.count == names.count)
        for (streamed, expected) in zip(scored.prefix(300), referenceRows) {
            #expect(streamed["class"] as? String == expected["class"] as? String)
            let a = try #require(streamed["score"] as? Double), b = try #require(expected["probability"] as? Double)
            #expect(abs(a - b) <= 1e-6)
        }

        // Names, one a line, through the bundle without a store; bad names are error lines.
        let list = directory.file("list.txt")
        try "www.google.com\n\n1.2.3.4\nxjkqwhzpqrtvbnmlkjhgfdsazxcvbq.net\n".write(to: list, atomically: true, encoding: .utf8)
        let listed = try runme(["score", "--stdin", "--model-dir", bundlePath], stdin: list)
        #expect(listed.status == 0)
        let listRows = try Self.jsonLines(listed.stdout)
        #expect(listRows.map { $0["name"] as? String } == ["www.google.com", "1.2.3.4", "xjkqwhzpqrtvbnmlkjhgfdsazxcvbq.net"])
        #expect(listRows.map { $0["class"] as? String } == ["legit", nil, "ioc"])
        #expect(listRows[1]["error"] as? String != nil)

        // Path attributions instead of SHAP: the same classes and scores, three features each.
        let approximate = try runme(["score", "--stdin", "--top-features", "approx", "--model-dir", bundlePath], stdin: list)
        let approximateRows = try Self.jsonLines(approximate.stdout)
        #expect(approximateRows.map { $0["class"] as? String } == listRows.map { $0["class"] as? String })
        #expect(approximateRows.map { $0["score"] as? Double } == listRows.map { $0["score"] as? Double })
        #expect((approximateRows[0]["top_features"] as? [[String: Any]])?.count == 3)

        // --model-dir for plain names too.
        let plain = try runme(["score", "www.google.com", "--json", "--model-dir", bundlePath])
        #expect(plain.status == 0 && plain.stdout.contains("\"legit\""))

        // Usage errors.
        #expect(try runme(["score", "--stdin", "google.com", "--model-dir", bundlePath]).status == 2)
        #expect(try runme(["score", "--stdin", "--format", "xml", "--model-dir", bundlePath]).status == 2)
        #expect(try runme(["score", "--stdin", "--model-dir", directory.file("nothing").path], stdin: list).status == 2)

        // A stream longer than a batch that repeats its names (later batches are answered from
        // the caches): every record gets the answer of the name's first record, in order.
        let names5 = ["www.google.com", "xjkqwhzpqrtvbnmlkjhgfdsazxcvbq.net", "mail.example.co.uk", "1.2.3.4", "ns1.asdklgb.cf."]
        let repeated = directory.file("repeated.txt")
        try (0..<20_000).map { names5[$0 % names5.count] }.joined(separator: "\n").appending("\n")
            .write(to: repeated, atomically: true, encoding: .utf8)
        let long = try runme(["score", "--stdin", "--top-features", "approx", "--model-dir", bundlePath], stdin: repeated)
        #expect(long.status == 0, "\(long.stderr)")
        let longLines = long.stdout.split(separator: "\n").map(String.init)
        #expect(longLines.count == 20_000)
        for (index, line) in longLines.enumerated() {
            #expect(line.hasPrefix("{\"line\":\(index + 1),"), "out of order at \(index): \(line)")
            let answer = line.drop { $0 != "," }
            let first = longLines[index % names5.count].drop { $0 != "," }
            if answer != first { Issue.record("record \(index + 1) differs from the first of its name: \(line)"); break }
        }
        #expect(longLines[1].contains("\"class\":\"ioc\"") && longLines[3].contains("\"error\""))

        // `bench score` measures the stream: its figure is printed.
        let bench = try runme(["bench", "score", "--model-dir", bundlePath, "--data", TestPaths.sharedData.path,
                               "--domains", "200", "--lines", "2000", "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [[String: Any]])
        let streamFigure = try #require(figures.first { ($0["name"] as? String)?.hasPrefix("score --stdin") == true })
        #expect((streamFigure["value"] as? Double ?? 0) > 0 && streamFigure["unit"] as? String == "records/s")
    }

    @Test func answersAnInteractivePipeBeforeItsEnd() throws {
        let data = try AutoMLFixture.dataset()
        let directory = try TemporaryDirectory("score-pipe")
        try ModelDirectoryFixture.write(.xgboost, data: data, to: directory.url)
        let child = ChildProcess(try binary(), ["score", "--stdin", "--model-dir", directory.url.path], workingDirectory: TestPaths.packageRoot)
        let pipe = Pipe()
        child.process.standardInput = pipe
        try child.start()
        pipe.fileHandleForWriting.write(Data("www.google.com\n".utf8))
        // The answer comes while the input is still open: the batch is written when input pauses.
        let deadline = Date().addingTimeInterval(60)
        while !child.stdout.contains("\n") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(child.stdout.contains("\"domain\":\"google\""), "no answer before EOF: \(child.stderr)")
        pipe.fileHandleForWriting.write(Data("asdklgb.cf\n".utf8))
        try pipe.fileHandleForWriting.close()
        let (status, timedOut) = child.wait(timeout: 60)
        #expect(!timedOut && status == 0)
        #expect(try Self.jsonLines(child.stdout).count == 2)
    }
}
