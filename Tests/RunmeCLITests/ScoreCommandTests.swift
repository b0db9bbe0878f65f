import DGAModel
import Foundation
import TestSupport
import Testing
import Tracking

/// `runme score` through the binary, against a store where a small AutoML search registered
/// the champion in-process.
@Suite(.serialized) struct ScoreCommandTests {
    func runme(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments, workingDirectory: TestPaths.packageRoot, timeout: 60)
    }

    @Test func scoresNamesReportsBadLinesAndMissingModels() async throws {
        let directory = try TemporaryDirectory("score")
        let storePath = directory.file("store").path
        let store = try TrackingStore.open(at: URL(fileURLWithPath: storePath))
        _ = try await AutoMLFixture.trainAndRegister(store: store, data: AutoMLFixture.dataset(), maxTrials: 4)

        let random = "xjkqwhzpqrtvbnmlkjhgfdsazxcvbq"
        let table = try runme(["score", "www.google.com", "\(random).net", "--store", storePath])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.contains("top features") == true)
        #expect(lines.contains { $0.contains("www.google.com") && $0.contains(" google ") && $0.contains("legit") })
        #expect(lines.contains { $0.contains(random) && $0.contains("ioc") })
        // The line under the table names the model and its threshold, and every row's class
        // is its probability read against that threshold.
        let modelLine = try #require(lines.last.map(String.init))
        #expect(modelLine.hasPrefix("Model models:/dns_dga@champion ("), "\(modelLine)")
        let threshold = try #require(modelLine.components(separatedBy: "ioc at probability >= ").last
            .flatMap { Double($0.prefix { $0 != " " }.dropLast()) })
        let championDirectory = try store.resolve(uri: "models:/dns_dga@champion")
        let champion = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: championDirectory.appendingPathComponent(ModelManifest.fileName)))
        #expect(abs(threshold - champion.threshold) < 0.00005)
        #expect(modelLine.contains("(\(champion.algorithm.rawValue))"))
        #expect(lines.count == 5, "header, rule, two names, the model line")
        for row in lines.dropFirst(2).dropLast() {
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            let probability = try #require(Double(cells[3]), "\(row)")
            #expect(cells[2] == (probability >= threshold ? "ioc" : "legit"), "\(row)")
        }

        let input = directory.file("names.txt")
        try Data("google.com\n\n1.2.3.4\nbad name!\n\(random).com\nexample..com\nco.uk\n".utf8).write(to: input)
        let json = try runme(["score", "--input", input.path, "--json", "--store", storePath])
        #expect(json.status == 1)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["name"] as? String } == ["google.com", "1.2.3.4", "bad name!", "\(random).com", "example..com", "co.uk"])
        #expect(rows.map { $0["class"] as? String } == ["legit", nil, nil, "ioc", nil, nil])
        #expect(rows[1]["error"] as? String != nil && rows[2]["error"] as? String != nil)
        // An empty label is named as such; a bare public suffix has no label at all.
        #expect((rows[4]["error"] as? String)?.hasPrefix("an empty label (a leading dot or two dots in a row)") == true, "\(rows[4])")
        #expect(rows[5]["error"] as? String == "no label left of the public suffix 'co.uk'", "\(rows[5])")
        #expect((rows[0]["top_features"] as? [[String: Any]])?.count == 3)
        #expect(((rows[3]["probability"] as? Double) ?? 0) > 0.5)

        let explicit = try runme(["score", "google.com", "--model", "models:/dns_dga/1", "--store", storePath])
        #expect(explicit.status == 0)
        let missing = try runme(["score", "google.com", "--model", "models:/dns_dga/9", "--store", storePath])
        #expect(missing.status == 2)
        // Each way a URI can miss gets the command that shows what exists, not the API's.
        #expect(missing.stderr.contains("cannot load the model models:/dns_dga/9: model 'dns_dga' has no version 9; runme models dns_dga lists the versions it has"),
                "\(missing.stderr)")
        let noAlias = try runme(["score", "google.com", "--model", "models:/dns_dga@staging", "--store", storePath])
        #expect(noAlias.status == 2)
        #expect(noAlias.stderr.contains("model 'dns_dga' has no alias 'staging'; runme models dns_dga lists its aliases"), "\(noAlias.stderr)")
        let noModel = try runme(["score", "google.com", "--model", "models:/other/1", "--store", storePath])
        #expect(noModel.status == 2)
        #expect(noModel.stderr.contains("no registered model named 'other' in this store. Run the job (runme run)"), "\(noModel.stderr)")
        #expect(!(missing.stderr + noAlias.stderr + noModel.stderr).contains("setAlias"))
        let noStore = try runme(["score", "google.com", "--store", directory.file("none").path])
        #expect(noStore.status == 2)
        #expect(noStore.stderr.contains("no experiment store at \(directory.file("none").standardizedFileURL.path) (no tracking.db there): run the job first (runme run)"),
                "\(noStore.stderr)")
        let help = try runme(["score", "--help"])
        #expect(help.stdout.contains("Exit codes: 0 every name scored"))
    }
}
