import Foundation
import Lakehouse

/// A model version's registration status, with MLflow's names.
public enum ModelVersionStatus: String, Sendable, CaseIterable, Codable {
    case pendingRegistration = "PENDING_REGISTRATION"
    case failedRegistration = "FAILED_REGISTRATION"
    case ready = "READY"
}

/// A named model in the registry, with its versions summarised.
public struct RegisteredModel: Sendable, Equatable {
    /// The unique name, used in `models:/NAME/...` URIs.
    public let name: String
    /// Free text.
    public let description: String
    /// When the model was registered.
    public let creationTime: Date
    /// Changes when a version is added or an alias set or removed.
    public let lastUpdatedTime: Date
    /// The highest version number, nil when the model has no versions yet.
    public let latestVersion: Int64?
    /// Alias → version.
    public let aliases: [String: Int64]
}

/// One version of a registered model.
public struct ModelVersion: Sendable, Equatable {
    /// The registered model's name.
    public let name: String
    /// 1, 2, 3… per model, in registration order.
    public let version: Int64
    /// Where the model is, usually `runs:/RUN_ID/PATH`; `TrackingStore.resolve` follows it.
    public let source: String
    /// The run that produced it, if known.
    public let runID: String?
    /// Free text.
    public let description: String
    /// `READY` for versions created by this store.
    public let status: ModelVersionStatus
    /// When the version was registered.
    public let creationTime: Date
    /// When the version last changed.
    public let lastUpdatedTime: Date
    /// The aliases that point at this version, sorted.
    public let aliases: [String]
}

extension TrackingStore {
    // MARK: Registered models

    /// Creates a registered model; the name must be new (`TrackingError.modelAlreadyExists`).
    ///
    /// Names: non-empty, at most 500 characters, without `/`, `@` or control characters
    /// (they would make `models:/` URIs ambiguous).
    @discardableResult
    public func createRegisteredModel(name: String, description: String = "") throws -> RegisteredModel {
        try Self.validateModelName(name)
        try write { db in
            if try db.scalar("SELECT 1 FROM registered_models WHERE name = ?", [name]) != nil {
                throw TrackingError.modelAlreadyExists(name: name)
            }
            try insertRegisteredModel(db, name: name, description: description)
        }
        return try requireRegisteredModel(name)
    }

    /// Returns the registered model with this name, creating it when missing (the
    /// description is used only when creating).
    @discardableResult
    public func getOrCreateRegisteredModel(name: String, description: String = "") throws -> RegisteredModel {
        try Self.validateModelName(name)
        try write { db in
            if try db.scalar("SELECT 1 FROM registered_models WHERE name = ?", [name]) == nil {
                try insertRegisteredModel(db, name: name, description: description)
            }
        }
        return try requireRegisteredModel(name)
    }

    /// The registered model with this name, or nil.
    public func registeredModel(named name: String) throws -> RegisteredModel? {
        try read { db in try loadRegisteredModels(db, name: name).first }
    }

    /// Every registered model, by name, with its latest version and aliases.
    public func registeredModels() throws -> [RegisteredModel] {
        try read { db in try loadRegisteredModels(db, name: nil) }
    }

    // MARK: Versions

    /// Adds the next version (1, 2, 3…) of an existing model.
    ///
    /// The number is chosen inside one immediate transaction, so two processes registering
    /// at once never get the same one.
    ///
    /// - Parameters:
    ///   - source: where the model is, usually `runs:/RUN_ID/PATH` (any string is recorded;
    ///     `resolve` follows `runs:/` URIs, `file://` URLs and absolute paths).
    ///   - runID: the producing run; nil takes it from a `runs:/` source. Must exist.
    @discardableResult
    public func createModelVersion(name: String, source: String, runID: String? = nil, description: String = "") throws -> ModelVersion {
        let runID = Self.producingRun(source: source, runID: runID)
        let version = try write { db -> Int64 in
            guard try db.scalar("SELECT 1 FROM registered_models WHERE name = ?", [name]) != nil else {
                throw TrackingError.modelNotFound(name: name)
            }
            return try insertModelVersion(db, name: name, source: source, runID: runID, description: description)
        }
        return try modelVersion(name: name, version: version)
    }

    /// Registers a version of a model, creating the model when missing, in one transaction
    /// (MLflow's `register_model`).
    @discardableResult
    public func registerModel(source: String, name: String, runID: String? = nil, description: String = "") throws -> ModelVersion {
        try Self.validateModelName(name)
        let runID = Self.producingRun(source: source, runID: runID)
        let version = try write { db -> Int64 in
            if try db.scalar("SELECT 1 FROM registered_models WHERE name = ?", [name]) == nil {
                try insertRegisteredModel(db, name: name, description: "")
            }
            return try insertModelVersion(db, name: name, source: source, runID: runID, description: description)
        }
        return try modelVersion(name: name, version: version)
    }

    /// A model's versions, oldest first (`TrackingError.modelNotFound`).
    public func modelVersions(name: String) throws -> [ModelVersion] {
        try read { db in
            let versions = try loadModelVersions(db, name: name, version: nil)
            if versions.isEmpty { try requireModel(db, name) }
            return versions
        }
    }

    /// One version of a model (`modelNotFound`, `modelVersionNotFound`).
    public func modelVersion(name: String, version: Int64) throws -> ModelVersion {
        try read { db in
            if let found = try loadModelVersions(db, name: name, version: version).first { return found }
            try requireModel(db, name)
            throw TrackingError.modelVersionNotFound(name: name, version: version)
        }
    }

    /// The version an alias points at (`modelNotFound`, `modelAliasNotFound`).
    public func modelVersion(name: String, alias: String) throws -> ModelVersion {
        try read { db in
            guard let version = try db.scalar("SELECT version FROM model_aliases WHERE name = ? AND alias = ?", [name, alias])?.int64Value else {
                try requireModel(db, name)
                throw TrackingError.modelAliasNotFound(name: name, alias: alias)
            }
            guard let found = try loadModelVersions(db, name: name, version: version).first else {
                throw TrackingError.modelVersionNotFound(name: name, version: version)
            }
            return found
        }
    }

    /// The highest version of a model (`modelNotFound`, `modelHasNoVersions`).
    public func latestModelVersion(name: String) throws -> ModelVersion {
        try read { db in
            guard let version = try db.scalar("SELECT MAX(version) FROM model_versions WHERE name = ?", [name])?.int64Value,
                  let found = try loadModelVersions(db, name: name, version: version).first else {
                try requireModel(db, name)
                throw TrackingError.modelHasNoVersions(name: name)
            }
            return found
        }
    }

    // MARK: Aliases

    /// Points an alias at a version, moving it if it pointed elsewhere.
    ///
    /// Aliases: 1–255 characters of letters, digits, `_` and `-`; `latest` and `v<number>`
    /// are reserved (as in MLflow), since they read as version references.
    public func setAlias(name: String, alias: String, version: Int64) throws {
        try Self.validateAlias(alias)
        try write { db in
            guard try db.scalar("SELECT 1 FROM model_versions WHERE name = ? AND version = ?", [name, version]) != nil else {
                try requireModel(db, name)
                throw TrackingError.modelVersionNotFound(name: name, version: version)
            }
            try db.execute("""
                INSERT INTO model_aliases(name, alias, version) VALUES (?, ?, ?)
                ON CONFLICT(name, alias) DO UPDATE SET version = excluded.version
                """, [name, alias, version])
            try db.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [unixNow(), name])
        }
    }

    /// Removes an alias; returns false when the model had no such alias
    /// (`modelNotFound` when there is no such model).
    @discardableResult
    public func deleteAlias(name: String, alias: String) throws -> Bool {
        try write { db in
            try requireModel(db, name)
            try db.execute("DELETE FROM model_aliases WHERE name = ? AND alias = ?", [name, alias])
            guard db.changes > 0 else { return false }
            try db.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [unixNow(), name])
            return true
        }
    }

    // MARK: Helpers

    static func validateModelName(_ name: String) throws {
        if name.allSatisfy(\.isWhitespace) {
            throw TrackingError.invalidModelName(name: name, reason: "it is empty")
        }
        if name.unicodeScalars.count > TrackingLimits.maxNameLength {
            throw TrackingError.invalidModelName(name: name, reason: "it is longer than \(TrackingLimits.maxNameLength) characters")
        }
        if let bad = name.unicodeScalars.first(where: { $0 == "/" || $0 == "@" || $0.value < 0x20 || $0.value == 0x7f }) {
            let shown = bad.value < 0x20 || bad.value == 0x7f ? "a control character" : "'\(bad)'"
            throw TrackingError.invalidModelName(name: name, reason: "it contains \(shown), which models:/ URIs use as a separator; use letters, digits, '-', '_', '.' or spaces")
        }
    }

    static func validateAlias(_ alias: String) throws {
        if alias.isEmpty || alias.utf8.count > 255 {
            throw TrackingError.invalidAlias(alias: alias, reason: "it must be 1 to 255 characters long")
        }
        let allowed = alias.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }
        if !allowed {
            throw TrackingError.invalidAlias(alias: alias, reason: "use only letters, digits, '_' and '-'")
        }
        let lower = alias.lowercased()
        if lower == "latest" {
            throw TrackingError.invalidAlias(alias: alias, reason: "'latest' is reserved: models:/NAME/latest already means the highest version")
        }
        if lower.hasPrefix("v"), lower.count > 1, lower.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw TrackingError.invalidAlias(alias: alias, reason: "'v' followed by a number is reserved for version references")
        }
    }

    /// The run a version comes from: the one given, else the one its `runs:/` source names.
    private static func producingRun(source: String, runID: String?) -> String? {
        if let runID { return runID }
        if case let .run(sourceRun, _)? = try? ArtifactURI(parsing: source) { return sourceRun }
        return nil
    }

    private func insertRegisteredModel(_ db: Database, name: String, description: String) throws {
        let now = unixNow()
        try db.execute("INSERT INTO registered_models(name, description, creation_time, last_updated_time) VALUES (?, ?, ?, ?)", [name, description, now, now])
    }

    private func insertModelVersion(_ db: Database, name: String, source: String, runID: String?, description: String) throws -> Int64 {
        if let runID { try requireRun(db, runID) }
        let next = (try db.scalar("SELECT MAX(version) FROM model_versions WHERE name = ?", [name])?.int64Value ?? 0) + 1
        let now = unixNow()
        try db.execute("""
            INSERT INTO model_versions(name, version, source, run_id, description, status, creation_time, last_updated_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [name, next, source, runID, description, ModelVersionStatus.ready.rawValue, now, now])
        try db.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [now, name])
        return next
    }

    private func requireModel(_ db: Database, _ name: String) throws {
        if try db.scalar("SELECT 1 FROM registered_models WHERE name = ?", [name]) == nil {
            throw TrackingError.modelNotFound(name: name)
        }
    }

    private func requireRegisteredModel(_ name: String) throws -> RegisteredModel {
        guard let model = try registeredModel(named: name) else { throw TrackingError.modelNotFound(name: name) }
        return model
    }

    private func loadRegisteredModels(_ db: Database, name: String?) throws -> [RegisteredModel] {
        let filter = name == nil ? "" : " WHERE m.name = ?"
        let arguments: [any SQLiteBindable] = name.map { [$0] } ?? []
        let rows = try db.query("""
            SELECT m.name, m.description, m.creation_time, m.last_updated_time,
                   (SELECT MAX(v.version) FROM model_versions v WHERE v.name = m.name) AS latest_version
            FROM registered_models m\(filter) ORDER BY m.name
            """, arguments)
        var aliases: [String: [String: Int64]] = [:]
        for row in try db.query("SELECT name, alias, version FROM model_aliases" + (name == nil ? "" : " WHERE name = ?"), arguments) {
            guard let model = row.string("name"), let alias = row.string("alias"), let version = row.int64("version") else { continue }
            aliases[model, default: [:]][alias] = version
        }
        return rows.compactMap { row in
            guard let name = row.string("name") else { return nil }
            return RegisteredModel(
                name: name,
                description: row.string("description") ?? "",
                creationTime: Date(unixSeconds: row.double("creation_time") ?? 0),
                lastUpdatedTime: Date(unixSeconds: row.double("last_updated_time") ?? 0),
                latestVersion: row.int64("latest_version"),
                aliases: aliases[name] ?? [:]
            )
        }
    }

    private func loadModelVersions(_ db: Database, name: String, version: Int64?) throws -> [ModelVersion] {
        var sql = "SELECT name, version, source, run_id, description, status, creation_time, last_updated_time FROM model_versions WHERE name = ?"
        var arguments: [any SQLiteBindable] = [name]
        if let version {
            sql += " AND version = ?"
            arguments.append(version)
        }
        sql += " ORDER BY version"
        var aliases: [Int64: [String]] = [:]
        for row in try db.query("SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias", [name]) {
            if let alias = row.string("alias"), let version = row.int64("version") { aliases[version, default: []].append(alias) }
        }
        return try db.query(sql, arguments).compactMap { row in
            guard let version = row.int64("version") else { return nil }
            return ModelVersion(
                name: name,
                version: version,
                source: row.string("source") ?? "",
                runID: row.string("run_id"),
                description: row.string("description") ?? "",
                status: row.string("status").flatMap(ModelVersionStatus.init(rawValue:)) ?? .ready,
                creationTime: Date(unixSeconds: row.double("creation_time") ?? 0),
                lastUpdatedTime: Date(unixSeconds: row.double("last_updated_time") ?? 0),
                aliases: aliases[version] ?? []
            )
        }
    }
}
