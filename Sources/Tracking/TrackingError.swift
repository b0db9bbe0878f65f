import Foundation

/// Everything the tracking store refuses, with what failed, on which input and what to do.
///
/// SQLite failures that are not about the caller's input (a full disk, a lock held past the
/// busy timeout) surface as `Lakehouse.SQLiteError`, which carries the file and statement.
public enum TrackingError: Error, CustomStringConvertible, Sendable, Equatable {
    // MARK: The store itself

    /// `openReadOnly` found no store at the directory.
    case storeNotFound(directory: String)
    /// The database file is not a SQLite database (or is damaged); it was left untouched.
    case notADatabase(path: String, detail: String)
    /// The database was written by a newer runme; it was left untouched.
    case newerSchema(path: String, found: Int, known: Int)
    /// The database belongs to some other program; it was left untouched.
    case foreignSchema(path: String, detail: String)
    /// The store was opened with `openReadOnly` and a write was attempted.
    case readOnlyStore(directory: String)
    /// The store directory or its artifact directory cannot be created or used.
    case storeUnusable(path: String, reason: String)
    /// A read-only store has not been migrated to a version that has what was asked for.
    case storeNeedsMigration(path: String, found: Int, needed: Int)

    // MARK: Experiments and runs

    case experimentAlreadyExists(name: String)
    case experimentNotFound(id: Int64)
    case runNotFound(runID: String)
    /// More than one run's id starts with the prefix given for an id (the first six of them).
    case ambiguousRunID(prefix: String, matches: [String])
    /// A parameter was logged again with a different value (parameters are immutable).
    case paramConflict(runID: String, key: String, oldValue: String, newValue: String)
    /// A parameter, metric or tag key is unusable.
    case invalidKey(kind: String, key: String, reason: String)
    /// A parameter or tag value is longer than the limit.
    case valueTooLong(kind: String, key: String, length: Int, limit: Int)
    /// An argument is out of its domain (described in `reason`).
    case invalidArgument(String)

    // MARK: Artifacts

    case invalidArtifactPath(path: String, reason: String)
    /// A file to log could not be read, or the artifact could not be written.
    case artifactIO(path: String, reason: String)

    // MARK: Model registry

    case invalidModelName(name: String, reason: String)
    case invalidAlias(alias: String, reason: String)
    case modelAlreadyExists(name: String)
    case modelNotFound(name: String)
    case modelVersionNotFound(name: String, version: Int64)
    case modelAliasNotFound(name: String, alias: String)
    /// `models:/NAME/latest` on a model that has no versions yet.
    case modelHasNoVersions(name: String)

    // MARK: URIs

    case malformedURI(uri: String, reason: String)
    /// A model version's source is not something this store can resolve to a local path.
    case unsupportedModelSource(name: String, version: Int64, source: String)
    /// The URI resolved, but nothing exists at that path on disk.
    case artifactNotFound(uri: String, path: String)

    /// An actionable message: what failed, on which input, what to do.
    public var description: String {
        switch self {
        case let .storeNotFound(directory):
            return "no experiment store at \(directory) (no tracking.db there): run the job first (runme run), or pass --store with the folder of the store to use."
        case let .notADatabase(path, detail):
            return "\(path) is not a SQLite database or is damaged (\(detail)). It was not modified; restore it from a backup or point --store at another directory."
        case let .newerSchema(path, found, known):
            return "\(path) has schema version \(found), but this runme knows versions up to \(known): it was written by a newer runme. It was not modified; use a newer runme, or point --store at another directory."
        case let .foreignSchema(path, detail):
            return "\(path) is not a runme tracking store: \(detail). It was not modified; point --store at another directory."
        case let .readOnlyStore(directory):
            return "the store at \(directory) was opened read-only and cannot be written; open it with TrackingStore.open(at:) to log."
        case let .storeUnusable(path, reason):
            return "cannot use \(path) as a tracking store: \(reason). Check that the path is a writable directory."
        case let .storeNeedsMigration(path, found, needed):
            return "\(path) has schema version \(found); this read needs version \(needed). Run any runme command that writes to the store to upgrade it, then retry."
        case let .experimentAlreadyExists(name):
            return "an experiment named '\(name)' already exists; use getOrCreateExperiment(named:) or pick another name."
        case let .experimentNotFound(id):
            return "no experiment with id \(id) in this store; runme experiments lists them."
        case let .runNotFound(runID):
            return "no run with id '\(runID)' in this store; run ids are 32 lowercase hex characters, and a prefix of \(TrackingStore.minimumRunIDPrefix) or more that only one run's id starts with will do. `runme report` lists an AutoML run's trials with their ids."
        case let .ambiguousRunID(prefix, matches):
            let listed = matches.prefix(5).joined(separator: ", ") + (matches.count > 5 ? ", …" : "")
            return "more than one run's id starts with '\(prefix)' (\(listed)); give more of the id."
        case let .paramConflict(runID, key, oldValue, newValue):
            return "parameter '\(key)' of run \(runID) is already '\(Self.clip(oldValue))' and cannot be changed to '\(Self.clip(newValue))': parameters are immutable. Log the new value under another key, or start a new run."
        case let .invalidKey(kind, key, reason):
            return "invalid \(kind) key '\(Self.clip(key))': \(reason)."
        case let .valueTooLong(kind, key, length, limit):
            return "the value of \(kind) '\(Self.clip(key))' is \(length) characters long; the limit is \(limit). Shorten it or log it as an artifact."
        case let .invalidArgument(reason):
            return reason
        case let .invalidArtifactPath(path, reason):
            return "invalid artifact path '\(path)': \(reason). Artifact paths are relative, '/'-separated, inside the run's artifact directory (for example 'model/weights.bin')."
        case let .artifactIO(path, reason):
            return "artifact I/O failed on \(path): \(reason)."
        case let .invalidModelName(name, reason):
            return "invalid model name '\(Self.clip(name))': \(reason)."
        case let .invalidAlias(alias, reason):
            return "invalid model alias '\(Self.clip(alias))': \(reason)."
        case let .modelAlreadyExists(name):
            return "a registered model named '\(name)' already exists; use getOrCreateRegisteredModel(name:description:) to reuse it."
        case let .modelNotFound(name):
            return "no registered model named '\(name)' in this store. Run the job (runme run), which registers the models it trains; runme models lists the registered models."
        case let .modelVersionNotFound(name, version):
            return "model '\(name)' has no version \(version); runme models \(name) lists the versions it has."
        case let .modelAliasNotFound(name, alias):
            return "model '\(name)' has no alias '\(alias)'; runme models \(name) lists its aliases and versions."
        case let .modelHasNoVersions(name):
            return "model '\(name)' has no versions yet, so 'latest' does not resolve. Run the job (runme run), which registers a version."
        case let .malformedURI(uri, reason):
            return "malformed artifact URI '\(uri)': \(reason). Accepted forms: runs:/RUN_ID/PATH, models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest."
        case let .unsupportedModelSource(name, version, source):
            return "version \(version) of model '\(name)' has source '\(source)', which is neither a runs:/ URI nor a local path, so it cannot be resolved here."
        case let .artifactNotFound(uri, path):
            return "\(uri) resolves to \(path), which does not exist on disk; the artifact was never logged there or was removed."
        }
    }

    /// Long values would drown an error message; the start is enough to recognise them.
    private static func clip(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "…" : text
    }
}
