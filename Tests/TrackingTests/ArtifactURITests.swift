import Foundation
import Testing
@testable import Tracking

@Suite("Artifact URIs")
struct ArtifactURITests {
    static let runID = "0123456789abcdef0123456789abcdef"

    @Test("the four accepted forms parse and print back")
    func parsing() throws {
        let id = Self.runID
        #expect(try ArtifactURI(parsing: "runs:/\(id)/model/weights.bin") == .run(runID: id, path: "model/weights.bin"))
        #expect(try ArtifactURI(parsing: "runs:/\(id)") == .run(runID: id, path: ""))
        #expect(try ArtifactURI(parsing: "runs:/\(id)/") == .run(runID: id, path: ""))
        #expect(try ArtifactURI(parsing: "runs:/\(id)/a//b/./c") == .run(runID: id, path: "a/b/c"))
        #expect(try ArtifactURI(parsing: "models:/dga/3") == .modelVersion(name: "dga", version: 3))
        #expect(try ArtifactURI(parsing: "models:/dga@champion") == .modelAlias(name: "dga", alias: "champion"))
        #expect(try ArtifactURI(parsing: "models:/dga/latest") == .latestModel(name: "dga"))
        #expect(try ArtifactURI(parsing: "models:/dga/LATEST") == .latestModel(name: "dga"))
        for text in ["runs:/\(id)/model/weights.bin", "runs:/\(id)", "models:/dga/3", "models:/dga@champion", "models:/dga/latest"] {
            #expect(try ArtifactURI(parsing: text).description == text)
        }
    }

    @Test("malformed URIs are refused with the accepted forms in the message")
    func malformed() {
        let id = Self.runID
        let bad = [
            "", "s3://bucket/key", "runs:", "runs:/", "runs://\(id)/x", "runs:/short/x", "runs:/\(id.uppercased())/x",
            "runs:/\(id)/../x", "runs:/\(id)//etc/passwd", "models:/", "models:/dga", "models:/dga/", "models:/dga/0",
            "models:/dga/Production", "models:/dga/1/extra", "models:/@champion", "models:/dga@", "models:/a/b@c",
            "models:/dga/99999999999999999999",
        ]
        for text in bad {
            let error = #expect(throws: TrackingError.self, "'\(text)'") { try ArtifactURI(parsing: text) }
            guard case let .malformedURI(uri, _)? = error else {
                Issue.record("expected malformedURI for '\(text)', got \(String(describing: error))")
                continue
            }
            #expect(uri == text)
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains("runs:/RUN_ID/PATH") && message.contains("models:/NAME@ALIAS") && message.contains("models:/NAME/latest"))
        }
    }

    @Test("URIs resolve to files on disk, through model sources, with a typed error for each failure")
    func resolution() throws {
        try withTemporaryDirectory { root in
            let store = try TrackingStore.open(at: root.appendingPathComponent("store"))
            let experiment = try store.createExperiment(name: "e")
            let run = try store.createRun(experimentID: experiment.id)
            try store.writeArtifact(runID: run.runID, data: Data("w".utf8), artifactPath: "model/weights.bin")
            let directory = try store.artifactDirectory(runID: run.runID)
            let weights = directory.appendingPathComponent("model/weights.bin")

            #expect(try store.resolve(uri: "runs:/\(run.runID)/model/weights.bin").path == weights.path)
            #expect(try store.resolve(uri: "runs:/\(run.runID)/model").path == directory.appendingPathComponent("model").path)
            #expect(try store.resolve(uri: "runs:/\(run.runID)").path == directory.path)

            try store.createRegisteredModel(name: "dga")
            try store.createModelVersion(name: "dga", source: "runs:/\(run.runID)/model")
            let outside = root.appendingPathComponent("outside-model")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try store.createModelVersion(name: "dga", source: outside.absoluteString)  // file:// URL
            try store.createModelVersion(name: "dga", source: outside.path)            // absolute path
            try store.createModelVersion(name: "dga", source: "s3://bucket/model")
            try store.createModelVersion(name: "dga", source: "runs:/\(run.runID)/never-logged")
            try store.setAlias(name: "dga", alias: "champion", version: 1)

            #expect(try store.resolve(uri: "models:/dga/1").path == directory.appendingPathComponent("model").path)
            #expect(try store.resolve(uri: "models:/dga@champion").path == directory.appendingPathComponent("model").path)
            #expect(try store.resolve(uri: "models:/dga/2").path == outside.path)
            #expect(try store.resolve(uri: "models:/dga/3").path == outside.path)
            #expect(try store.resolve(.modelVersion(name: "dga", version: 1)).path == directory.appendingPathComponent("model").path)

            let unknownRun = "fedcba9876543210fedcba9876543210"
            #expect(throws: TrackingError.runNotFound(runID: unknownRun)) { try store.resolve(uri: "runs:/\(unknownRun)/model") }
            let missing = #expect(throws: TrackingError.self) { try store.resolve(uri: "runs:/\(run.runID)/nothing/here") }
            #expect(missing == .artifactNotFound(uri: "runs:/\(run.runID)/nothing/here", path: directory.appendingPathComponent("nothing/here").path))
            #expect(throws: TrackingError.modelNotFound(name: "absent")) { try store.resolve(uri: "models:/absent/1") }
            #expect(throws: TrackingError.modelVersionNotFound(name: "dga", version: 42)) { try store.resolve(uri: "models:/dga/42") }
            #expect(throws: TrackingError.modelAliasNotFound(name: "dga", alias: "gone")) { try store.resolve(uri: "models:/dga@gone") }
            #expect(throws: TrackingError.unsupportedModelSource(name: "dga", version: 4, source: "s3://bucket/model")) {
                try store.resolve(uri: "models:/dga/4")
            }
            // latest is version 5, whose source was never logged: reported against the model URI.
            let latest = #expect(throws: TrackingError.self) { try store.resolve(uri: "models:/dga/latest") }
            guard case let .artifactNotFound(uri, path)? = latest else {
                Issue.record("expected artifactNotFound, got \(String(describing: latest))")
                return
            }
            #expect(uri.hasPrefix("models:/dga/latest"))
            #expect(path == directory.appendingPathComponent("never-logged").path)
            #expect(throws: TrackingError.self) { try store.resolve(uri: "not a uri") }

            try store.createRegisteredModel(name: "empty")
            #expect(throws: TrackingError.modelHasNoVersions(name: "empty")) { try store.resolve(uri: "models:/empty/latest") }
        }
    }
}
