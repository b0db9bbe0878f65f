import Foundation
import Testing
@testable import Tracking

@Suite("Model registry")
struct ModelRegistryTests {
    @Test("models, numbered versions, aliases and the listing")
    func registry() throws {
        try withRun { store, run in
            let model = try store.createRegisteredModel(name: "dga-detector", description: "DGA classifier")
            #expect(model.latestVersion == nil)
            #expect(model.aliases.isEmpty)
            #expect(throws: TrackingError.modelAlreadyExists(name: "dga-detector")) { try store.createRegisteredModel(name: "dga-detector") }
            #expect(try store.getOrCreateRegisteredModel(name: "dga-detector").description == "DGA classifier")
            #expect(try store.getOrCreateRegisteredModel(name: "other").name == "other")

            let v1 = try store.createModelVersion(name: "dga-detector", source: "runs:/\(run.runID)/model")
            let v2 = try store.createModelVersion(name: "dga-detector", source: "/opt/models/m2", description: "second")
            let v3 = try store.createModelVersion(name: "dga-detector", source: "runs:/\(run.runID)/model", runID: run.runID)
            #expect([v1.version, v2.version, v3.version] == [1, 2, 3])
            #expect(v1.runID == run.runID)  // taken from the runs:/ source
            #expect(v2.runID == nil)
            #expect(v2.description == "second")
            #expect(v1.status == .ready)
            #expect(try store.createModelVersion(name: "other", source: "/x").version == 1)

            try store.setAlias(name: "dga-detector", alias: "champion", version: 1)
            try store.setAlias(name: "dga-detector", alias: "challenger", version: 3)
            #expect(try store.modelVersion(name: "dga-detector", alias: "champion").version == 1)
            try store.setAlias(name: "dga-detector", alias: "champion", version: 2)
            #expect(try store.modelVersion(name: "dga-detector", alias: "champion").version == 2)
            #expect(try store.modelVersion(name: "dga-detector", version: 2).aliases == ["champion"])
            #expect(try store.modelVersion(name: "dga-detector", version: 1).aliases.isEmpty)
            #expect(try store.latestModelVersion(name: "dga-detector").version == 3)

            let listed = try store.registeredModels()
            #expect(listed.map(\.name) == ["dga-detector", "other"])
            #expect(listed[0].latestVersion == 3)
            #expect(listed[0].aliases == ["champion": 2, "challenger": 3])
            #expect(listed[1].latestVersion == 1)
            #expect(try store.modelVersions(name: "dga-detector").map(\.version) == [1, 2, 3])

            #expect(try store.deleteAlias(name: "dga-detector", alias: "challenger"))
            #expect(try !store.deleteAlias(name: "dga-detector", alias: "challenger"))
            #expect(throws: TrackingError.modelAliasNotFound(name: "dga-detector", alias: "challenger")) {
                try store.modelVersion(name: "dga-detector", alias: "challenger")
            }
        }
    }

    @Test("registry errors are typed")
    func errors() throws {
        try withRun { store, run in
            #expect(throws: TrackingError.modelNotFound(name: "nope")) { try store.createModelVersion(name: "nope", source: "/x") }
            #expect(throws: TrackingError.modelNotFound(name: "nope")) { try store.modelVersions(name: "nope") }
            #expect(throws: TrackingError.modelNotFound(name: "nope")) { try store.modelVersion(name: "nope", version: 1) }
            #expect(throws: TrackingError.modelNotFound(name: "nope")) { try store.deleteAlias(name: "nope", alias: "a") }
            try store.createRegisteredModel(name: "m")
            #expect(throws: TrackingError.modelHasNoVersions(name: "m")) { try store.latestModelVersion(name: "m") }
            #expect(throws: TrackingError.modelVersionNotFound(name: "m", version: 4)) { try store.modelVersion(name: "m", version: 4) }
            #expect(throws: TrackingError.modelVersionNotFound(name: "m", version: 1)) { try store.setAlias(name: "m", alias: "prod", version: 1) }
            let missingRun = "abababababababababababababababab"
            #expect(throws: TrackingError.runNotFound(runID: missingRun)) { try store.createModelVersion(name: "m", source: "runs:/\(missingRun)/model") }
            #expect(throws: TrackingError.runNotFound(runID: missingRun)) { try store.createModelVersion(name: "m", source: "/x", runID: missingRun) }
            // Nothing was registered by the failed calls.
            #expect(try store.modelVersions(name: "m").isEmpty)

            try store.createModelVersion(name: "m", source: "runs:/\(run.runID)/model")
            for alias in ["latest", "Latest", "v1", "V12", "", "has space", "a/b", "a@b"] {
                let error = #expect(throws: TrackingError.self, "alias '\(alias)'") { try store.setAlias(name: "m", alias: alias, version: 1) }
                guard case .invalidAlias? = error else {
                    Issue.record("expected invalidAlias for '\(alias)', got \(String(describing: error))")
                    continue
                }
            }
            try store.setAlias(name: "m", alias: "v1-candidate_2", version: 1)
            for name in ["", "a/b", "a@b", "tab\there"] {
                let error = #expect(throws: TrackingError.self, "name '\(name)'") { try store.createRegisteredModel(name: name) }
                guard case .invalidModelName? = error else {
                    Issue.record("expected invalidModelName for '\(name)', got \(String(describing: error))")
                    continue
                }
            }
        }
    }

    @Test("registerModel creates the model on first use, in one transaction")
    func registerModel() throws {
        try withRun { store, run in
            let first = try store.registerModel(source: "runs:/\(run.runID)/model", name: "auto")
            let second = try store.registerModel(source: "runs:/\(run.runID)/model", name: "auto")
            #expect([first.version, second.version] == [1, 2])
            #expect(try store.registeredModel(named: "auto")?.latestVersion == 2)
            #expect(try store.registeredModel(named: "absent") == nil)
        }
    }
}
