import Foundation
import Tracking

/// Exports one registered model: the model, the versions whose runs this export covers
/// (source: the MLflow run's artifact location), and the aliases pointing at them.
///
/// MLflow numbers versions itself, so each MLflow version carries `runme.model_version`;
/// a later export matches versions by that tag and creates only the missing ones.
struct ModelExport {
    let session: ExportSession
    let model: RegisteredModel

    var client: MLflowClient { session.client }

    struct Line {
        var text: String
        var changed: Bool
    }

    /// What happened, or nil when no version of the model is part of this export.
    func run() async throws(MLflowExportError) -> Line? {
        let versions: [ModelVersion]
        do {
            versions = try session.store.modelVersions(name: model.name)
        } catch {
            throw .store(reason: "model '\(model.name)': \(error)")
        }
        // A version goes out when its source is a file of a run this export has on the server.
        var exportable: [(version: ModelVersion, run: String, source: String)] = []
        for version in versions {
            guard case let .run(runID, path)? = try? ArtifactURI(parsing: version.source),
                  let target = session.exportedRuns[runID] else {
                session.summary.modelVersionsNotInExport += 1
                continue
            }
            let base = target.artifactURI.hasSuffix("/") ? String(target.artifactURI.dropLast()) : target.artifactURI
            exportable.append((version, target.runID, path.isEmpty ? base : "\(base)/\(path)"))
        }
        guard !exportable.isEmpty else { return nil }

        var parts: [String] = []
        var changed = false
        var serverModel = try await client.registeredModel(named: model.name)
        if let existing = serverModel {
            if (existing.description ?? "") != model.description {
                try await client.updateRegisteredModel(name: model.name, description: model.description)
                session.summary.registeredModels.updated += 1
                parts.append("description updated")
                changed = true
            } else {
                session.summary.registeredModels.skipped += 1
            }
        } else {
            try await client.createRegisteredModel(name: model.name, description: model.description)
            session.summary.registeredModels.created += 1
            parts.append("created")
            changed = true
        }

        // runme version → MLflow version, from the tag earlier exports set.
        var mapped: [Int64: String] = [:]
        var serverDescriptions: [String: String] = [:]
        if serverModel != nil {
            for version in try await client.modelVersions(name: model.name) {
                serverDescriptions[version.version] = version.description ?? ""
                if let tag = version.tag(ExportTags.modelVersion), let number = Int64(tag) { mapped[number] = version.version }
            }
        }
        for (version, runID, source) in exportable.sorted(by: { $0.version.version < $1.version.version }) {
            let object = "model '\(model.name)' version \(version.version)"
            do throws(MLflowExportError) {
                if let existing = mapped[version.version] {
                    if serverDescriptions[existing] != version.description {
                        try await client.updateModelVersion(name: model.name, version: existing, description: version.description)
                        session.summary.modelVersions.updated += 1
                        parts.append("version \(version.version) updated")
                        changed = true
                    } else {
                        session.summary.modelVersions.skipped += 1
                    }
                } else {
                    let tags = [MLflowKeyValue(key: ExportTags.modelVersion, value: String(version.version)),
                                MLflowKeyValue(key: ExportTags.runID, value: version.runID ?? "")]
                    let created = try await client.createModelVersion(name: model.name, source: source, runID: runID,
                                                                      description: version.description, tags: tags)
                    mapped[version.version] = created.version
                    session.summary.modelVersions.created += 1
                    parts.append("version \(version.version) created as MLflow version \(created.version)")
                    changed = true
                }
            } catch {
                session.summary.modelVersions.failed += 1
                session.fail(object, error)
            }
        }

        // Aliases: runme's, on the versions exported; an alias on the server that points at a
        // version runme exported but that runme no longer has is removed.
        serverModel = try await client.registeredModel(named: model.name)
        let serverAliases = Dictionary((serverModel?.aliases ?? []).map { ($0.alias, $0.version) }, uniquingKeysWith: { $1 })
        var wanted: [String: String] = [:]
        for (alias, version) in model.aliases {
            if let target = mapped[version] { wanted[alias] = target }
        }
        for (alias, target) in wanted.sorted(by: { $0.key < $1.key }) {
            let object = "model '\(model.name)' alias '\(alias)'"
            if serverAliases[alias] == target {
                session.summary.aliases.skipped += 1
                continue
            }
            do throws(MLflowExportError) {
                try await client.setAlias(name: model.name, alias: alias, version: target)
                if serverAliases[alias] == nil { session.summary.aliases.created += 1 } else { session.summary.aliases.updated += 1 }
                parts.append("alias \(alias) → MLflow version \(target)")
                changed = true
            } catch {
                session.summary.aliases.failed += 1
                session.fail(object, error)
            }
        }
        let managed = Set(mapped.values)
        for (alias, target) in serverAliases.sorted(by: { $0.key < $1.key }) where wanted[alias] == nil && managed.contains(target) {
            do throws(MLflowExportError) {
                try await client.deleteAlias(name: model.name, alias: alias)
                session.summary.aliases.updated += 1
                parts.append("alias \(alias) removed")
                changed = true
            } catch {
                session.summary.aliases.failed += 1
                session.fail("model '\(model.name)' alias '\(alias)'", error)
            }
        }
        return Line(text: parts.isEmpty ? "unchanged" : parts.joined(separator: "; "), changed: changed)
    }
}
