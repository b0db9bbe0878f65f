import Foundation

/// An MLflow-style reference to artifacts in a store.
///
/// Accepted forms:
/// - `runs:/RUN_ID/PATH` — a file or directory in a run's artifacts (`PATH` may be empty:
///   `runs:/RUN_ID` is the whole artifact directory);
/// - `models:/NAME/VERSION` — a registered model's version (a positive integer);
/// - `models:/NAME@ALIAS` — the version an alias points at;
/// - `models:/NAME/latest` — the highest version.
public enum ArtifactURI: Sendable, Hashable, CustomStringConvertible {
    case run(runID: String, path: String)
    case modelVersion(name: String, version: Int64)
    case modelAlias(name: String, alias: String)
    case latestModel(name: String)

    /// Parses a URI, throwing `TrackingError.malformedURI` (which lists the accepted forms).
    public init(parsing text: String) throws {
        if text.hasPrefix("runs:/") {
            self = try Self.parseRun(text, rest: text.dropFirst("runs:/".count))
        } else if text.hasPrefix("models:/") {
            self = try Self.parseModel(text, rest: text.dropFirst("models:/".count))
        } else {
            throw TrackingError.malformedURI(uri: text, reason: "it starts with neither 'runs:/' nor 'models:/'")
        }
    }

    /// The canonical text of the URI.
    public var description: String {
        switch self {
        case let .run(runID, path): return path.isEmpty ? "runs:/\(runID)" : "runs:/\(runID)/\(path)"
        case let .modelVersion(name, version): return "models:/\(name)/\(version)"
        case let .modelAlias(name, alias): return "models:/\(name)@\(alias)"
        case let .latestModel(name): return "models:/\(name)/latest"
        }
    }

    private static func parseRun(_ text: String, rest: Substring) throws -> ArtifactURI {
        if rest.hasPrefix("/") {
            throw TrackingError.malformedURI(uri: text, reason: "write 'runs:/RUN_ID', with one slash after 'runs:'")
        }
        let runID = rest.prefix { $0 != "/" }
        let isHex = runID.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard runID.utf8.count == 32, isHex else {
            throw TrackingError.malformedURI(uri: text, reason: "the run id '\(runID)' is not 32 lowercase hex characters")
        }
        // After the id comes nothing or '/', then the path.
        let pathText = String(rest.dropFirst(runID.count).dropFirst())
        var path = ""
        if pathText.split(separator: "/").contains(where: { $0 != "." }) {
            do {
                path = try TrackingStore.normalizeArtifactPath(pathText)
            } catch let TrackingError.invalidArtifactPath(_, reason) {
                throw TrackingError.malformedURI(uri: text, reason: "its path is unusable: \(reason)")
            }
        }
        return .run(runID: String(runID), path: path)
    }

    private static func parseModel(_ text: String, rest: Substring) throws -> ArtifactURI {
        if let at = rest.firstIndex(of: "@") {
            let name = rest[..<at]
            let alias = rest[rest.index(after: at)...]
            guard !name.isEmpty, !name.contains("/") else {
                throw TrackingError.malformedURI(uri: text, reason: "the model name before '@' is empty or contains '/'")
            }
            guard !alias.isEmpty, !alias.contains("/"), !alias.contains("@") else {
                throw TrackingError.malformedURI(uri: text, reason: "the alias after '@' is empty or contains '/' or '@'")
            }
            return .modelAlias(name: String(name), alias: String(alias))
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw TrackingError.malformedURI(uri: text, reason: "a model URI is models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest")
        }
        let name = String(parts[0])
        let suffix = parts[1]
        if suffix.lowercased() == "latest" { return .latestModel(name: name) }
        if suffix.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard let version = Int64(suffix), version >= 1 else {
                throw TrackingError.malformedURI(uri: text, reason: "the version '\(suffix)' is not a number from 1 up")
            }
            return .modelVersion(name: name, version: version)
        }
        throw TrackingError.malformedURI(uri: text, reason: "'\(suffix)' is neither a version number nor 'latest' (model stages are not supported; use an alias: models:/\(name)@ALIAS)")
    }
}

extension TrackingStore {
    /// Resolves a URI (see `ArtifactURI`) to the file or directory it names on disk.
    ///
    /// A model version resolves through its source: a `runs:/` URI, a `file://` URL or an
    /// absolute path. Errors: `malformedURI`, `runNotFound`, `modelNotFound`,
    /// `modelVersionNotFound`, `modelAliasNotFound`, `modelHasNoVersions`,
    /// `unsupportedModelSource`, and `artifactNotFound` when the path is missing on disk.
    public func resolve(uri: String) throws -> URL {
        try resolve(try ArtifactURI(parsing: uri))
    }

    /// Resolves a parsed URI; see `resolve(uri:)`.
    public func resolve(_ uri: ArtifactURI) throws -> URL {
        let url: URL
        switch uri {
        case let .run(runID, path):
            let root = try artifactDirectory(runID: runID)
            url = path.isEmpty ? root : root.appendingPathComponent(path)
        case let .modelVersion(name, version):
            return try resolveSource(of: try modelVersion(name: name, version: version), via: uri)
        case let .modelAlias(name, alias):
            return try resolveSource(of: try modelVersion(name: name, alias: alias), via: uri)
        case let .latestModel(name):
            return try resolveSource(of: try latestModelVersion(name: name), via: uri)
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrackingError.artifactNotFound(uri: uri.description, path: url.path)
        }
        return url
    }

    private func resolveSource(of version: ModelVersion, via uri: ArtifactURI) throws -> URL {
        let source = version.source
        let url: URL
        if source.hasPrefix("runs:/") {
            // A source is itself a URI; a missing file is reported against the model URI the
            // caller used, which is what they can act on.
            let sourceURI = try ArtifactURI(parsing: source)
            do {
                return try resolve(sourceURI)
            } catch let TrackingError.artifactNotFound(_, path) {
                throw TrackingError.artifactNotFound(uri: "\(uri) (source \(source))", path: path)
            }
        } else if source.hasPrefix("file://"), let fileURL = URL(string: source), fileURL.isFileURL {
            url = fileURL
        } else if source.hasPrefix("/") {
            url = URL(fileURLWithPath: source)
        } else {
            throw TrackingError.unsupportedModelSource(name: version.name, version: version.version, source: source)
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrackingError.artifactNotFound(uri: "\(uri) (source \(source))", path: url.path)
        }
        return url
    }
}
