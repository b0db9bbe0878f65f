import Digest
import Foundation
import Testing
@testable import Tracking

@Suite("Artifacts")
struct ArtifactTests {
    @Test("writeArtifact and logArtifact land the bytes, with size and an independently checked SHA-256")
    func contentAndDigest() throws {
        try withRun { store, run in
            let directory = try store.artifactDirectory(runID: run.runID)
            #expect(directory.path.hasSuffix("artifacts/\(run.experimentID)/\(run.runID)/artifacts"))
            #expect(directory.path.hasPrefix(store.artifactRoot.path))

            let report = Data("{\"auc\": 0.97}\n".utf8)
            let written = try store.writeArtifact(runID: run.runID, data: report, artifactPath: "reports/summary.json")
            let writtenURL = directory.appendingPathComponent("reports/summary.json")
            #expect(try Data(contentsOf: writtenURL) == report)
            #expect(written.size == Int64(report.count))
            #expect(written.path == "reports/summary.json")
            #expect(written.sha256 == sha256sum(writtenURL))

            // A file of a few MiB, copied in blocks.
            let source = directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("source.bin")
            let big = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
            try big.write(to: source)
            let logged = try store.logArtifact(runID: run.runID, file: source, artifactPath: "model/./weights.bin")
            let loggedURL = directory.appendingPathComponent("model/weights.bin")
            #expect(logged.path == "model/weights.bin")
            #expect(try Data(contentsOf: loggedURL) == big)
            #expect(logged.size == Int64(big.count))
            #expect(logged.sha256 == sha256sum(source))
            #expect(logged.sha256 == (try SHA256.hexAndSize(ofFile: source)).sha256)

            // Default destination: the file's own name at the top.
            let top = try store.logArtifact(runID: run.runID, file: source)
            #expect(top.path == "source.bin")

            #expect(try store.artifacts(runID: run.runID).map(\.path) == ["model/weights.bin", "reports/summary.json", "source.bin"])
            #expect(try store.artifacts(runID: run.runID).first { $0.path == "reports/summary.json" }?.sha256 == written.sha256)

            // No temporary files are left beside the artifacts.
            let leftovers = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".tmp") }
            #expect(leftovers == [])
        }
    }

    @Test("logging a path again replaces the file and its record")
    func replace() throws {
        try withRun { store, run in
            try store.writeArtifact(runID: run.runID, data: Data("one".utf8), artifactPath: "a.txt")
            let second = try store.writeArtifact(runID: run.runID, data: Data("second".utf8), artifactPath: "a.txt")
            let url = try store.artifactDirectory(runID: run.runID).appendingPathComponent("a.txt")
            #expect(try String(contentsOf: url, encoding: .utf8) == "second")
            let records = try store.artifacts(runID: run.runID)
            #expect(records.count == 1)
            #expect(records.first?.sha256 == SHA256.hex(of: "second"))
            #expect(records.first?.size == 6)
            #expect(second.sha256 == sha256sum(url))
        }
    }

    @Test("paths that would leave the run directory are refused, and nothing is written")
    func pathEscape() throws {
        try withRun { store, run in
            let bad = ["../escape.txt", "a/../../escape.txt", "..", "/etc/passwd", "", ".", "a/\u{0}b"]
            for path in bad {
                let error = #expect(throws: TrackingError.self, "path \(path)") {
                    try store.writeArtifact(runID: run.runID, data: Data("x".utf8), artifactPath: path)
                }
                guard case .invalidArtifactPath? = error else {
                    Issue.record("expected invalidArtifactPath for '\(path)', got \(String(describing: error))")
                    continue
                }
            }
            let runDirectory = try store.artifactDirectory(runID: run.runID).deletingLastPathComponent()
            #expect(!FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("escape.txt").path))
            #expect(!FileManager.default.fileExists(atPath: store.directory.appendingPathComponent("escape.txt").path))
            #expect(try store.artifacts(runID: run.runID).isEmpty)
            #expect(throws: TrackingError.self) {
                try store.logArtifactDirectory(runID: run.runID, directory: store.directory, artifactPath: "../x")
            }
        }
    }

    @Test("logArtifactDirectory copies a tree under a prefix")
    func directory() throws {
        try withTemporaryDirectory { root in
            let source = root.appendingPathComponent("tree")
            try FileManager.default.createDirectory(at: source.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
            try Data("a".utf8).write(to: source.appendingPathComponent("a.txt"))
            try Data("b".utf8).write(to: source.appendingPathComponent("sub/b.txt"))
            try Data("c".utf8).write(to: source.appendingPathComponent("sub/deeper/c.txt"))
            let store = try TrackingStore.open(at: root.appendingPathComponent("store"))
            let experiment = try store.createExperiment(name: "e")
            let run = try store.createRun(experimentID: experiment.id)

            let artifacts = try store.logArtifactDirectory(runID: run.runID, directory: source, artifactPath: "model")
            #expect(artifacts.map(\.path) == ["model/a.txt", "model/sub/b.txt", "model/sub/deeper/c.txt"])
            let target = try store.artifactDirectory(runID: run.runID)
            #expect(try String(contentsOf: target.appendingPathComponent("model/sub/deeper/c.txt"), encoding: .utf8) == "c")
            #expect(artifacts.map(\.sha256) == ["a", "b", "c"].map { SHA256.hex(of: $0) })
            #expect(try store.artifacts(runID: run.runID) == artifacts)

            #expect(throws: TrackingError.self) {
                try store.logArtifactDirectory(runID: run.runID, directory: root.appendingPathComponent("missing"))
            }
            #expect(throws: TrackingError.self) {
                try store.logArtifact(runID: run.runID, file: source)
            }
            #expect(throws: TrackingError.self) {
                try store.logArtifact(runID: run.runID, file: root.appendingPathComponent("missing.bin"))
            }
            #expect(throws: TrackingError.runNotFound(runID: "00000000000000000000000000000000")) {
                try store.writeArtifact(runID: "00000000000000000000000000000000", data: Data(), artifactPath: "x")
            }
        }
    }
}
