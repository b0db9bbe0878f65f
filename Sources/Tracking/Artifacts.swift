import Digest
import Foundation
import Lakehouse
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file logged to a run, as recorded in the store.
public struct Artifact: Sendable, Equatable {
    /// The run the artifact belongs to.
    public let runID: String
    /// The normalised relative path inside the run's artifact directory ('/'-separated).
    public let path: String
    /// Size in bytes.
    public let size: Int64
    /// Lowercase hex SHA-256 of the content.
    public let sha256: String
    /// When it was last written.
    public let loggedTime: Date
}

extension TrackingStore {
    /// The directory that holds a run's artifacts:
    /// `<store>/artifacts/<experiment_id>/<run_id>/artifacts` (`TrackingError.runNotFound`).
    /// It exists on disk once something has been logged to it.
    public func artifactDirectory(runID: String) throws -> URL {
        let location = try read { db -> String in
            let statement = try db.cachedStatement("""
                SELECT e.artifact_location FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
                WHERE r.run_id = ?
                """ as StaticString)
            try statement.bind(text: runID, at: 1)
            defer { statement.reset() }
            guard try statement.step(), let location = statement.string(at: 0) else {
                throw TrackingError.runNotFound(runID: runID)
            }
            return location
        }
        // The run id comes from the database, not from the caller, so it is safe in a path.
        return resolveLocation(location)
            .appendingPathComponent(runID, isDirectory: true)
            .appendingPathComponent("artifacts", isDirectory: true)
    }

    /// Copies a file into the run's artifacts.
    ///
    /// - Parameters:
    ///   - file: a regular file to copy.
    ///   - artifactPath: the relative destination path, for example `model/weights.bin`;
    ///     nil puts the file at the top with its own name. An existing artifact at that path
    ///     is replaced.
    /// - Returns: the recorded artifact, with its size and SHA-256 (computed while copying).
    @discardableResult
    public func logArtifact(runID: String, file: URL, artifactPath: String? = nil) throws -> Artifact {
        let path = try Self.normalizeArtifactPath(artifactPath ?? file.lastPathComponent)
        let root = try artifactDirectory(runID: runID)
        let (sha256, size) = try Self.land(at: root, relativePath: path) { output, hasher in
            try Self.copyContents(of: file, to: output, hasher: hasher)
        }
        return try record(runID: runID, entries: [(path, size, sha256)])[0]
    }

    /// Writes bytes as an artifact at `artifactPath` (relative, for example `report.json`),
    /// replacing any artifact already there.
    @discardableResult
    public func writeArtifact(runID: String, data: Data, artifactPath: String) throws -> Artifact {
        let path = try Self.normalizeArtifactPath(artifactPath)
        let root = try artifactDirectory(runID: runID)
        let (sha256, size) = try Self.land(at: root, relativePath: path) { output, hasher in
            hasher.update(data)
            try Self.write(data, to: output, path: path)
        }
        return try record(runID: runID, entries: [(path, size, sha256)])[0]
    }

    /// Copies every regular file under `directory` (recursively, following the tree, not
    /// symbolic links to directories) into the run's artifacts under `artifactPath` (nil for
    /// the top). Each file lands atomically; the records are written in one transaction
    /// once every file is in place. Returns the recorded artifacts, sorted by path.
    @discardableResult
    public func logArtifactDirectory(runID: String, directory source: URL, artifactPath: String? = nil) throws -> [Artifact] {
        let prefix = try artifactPath.map(Self.normalizeArtifactPath) ?? ""
        let root = try artifactDirectory(runID: runID)
        let sourceRoot = source.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sourceRoot.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrackingError.artifactIO(path: source.path, reason: "no such directory")
        }
        var entries: [(String, Int64, String)] = []
        for relative in try Self.regularFiles(under: sourceRoot) {
            let path = try Self.normalizeArtifactPath(prefix.isEmpty ? relative : prefix + "/" + relative)
            let file = sourceRoot.appendingPathComponent(relative)
            let (sha256, size) = try Self.land(at: root, relativePath: path) { output, hasher in
                try Self.copyContents(of: file, to: output, hasher: hasher)
            }
            entries.append((path, size, sha256))
        }
        return try record(runID: runID, entries: entries)
    }

    /// The artifacts recorded for a run, sorted by path (`TrackingError.runNotFound`).
    public func artifacts(runID: String) throws -> [Artifact] {
        try read { db in
            let seq = try requireRun(db, runID)
            let rows = try db.query("SELECT path, size, sha256, logged_time FROM artifacts WHERE run_seq = ? ORDER BY path", [seq])
            return rows.map { row in
                Artifact(
                    runID: runID, path: row.string("path") ?? "", size: row.int64("size") ?? 0,
                    sha256: row.string("sha256") ?? "", loggedTime: Date(unixSeconds: row.double("logged_time") ?? 0)
                )
            }
        }
    }

    // MARK: Paths

    /// Normalises a relative artifact path ('/'-separated, `.` and empty parts dropped) and
    /// refuses one that is empty, absolute, contains `..` or a NUL byte: any of those could
    /// put the file outside the run's artifact directory.
    static func normalizeArtifactPath(_ path: String) throws -> String {
        if path.hasPrefix("/") {
            throw TrackingError.invalidArtifactPath(path: path, reason: "it is absolute")
        }
        if path.utf8.contains(0) {
            throw TrackingError.invalidArtifactPath(path: path, reason: "it contains a NUL byte")
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                throw TrackingError.invalidArtifactPath(path: path, reason: "'..' would leave the run's artifact directory")
            }
            parts.append(part)
        }
        if parts.isEmpty {
            throw TrackingError.invalidArtifactPath(path: path, reason: "it names no file")
        }
        return parts.joined(separator: "/")
    }

    // MARK: Writing files

    /// Writes a file at `root/relativePath` atomically: the content goes to a temporary file
    /// in the destination directory, which is then renamed over the destination, so a reader
    /// (or a crash) sees the old file or the whole new one, never part of it.
    private static func land(
        at root: URL, relativePath: String,
        _ fill: (FileHandle, borrowing SHA256) throws -> Void
    ) throws -> (sha256: String, size: Int64) {
        let destination = root.appendingPathComponent(relativePath)
        let parent = destination.deletingLastPathComponent()
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw TrackingError.artifactIO(path: parent.path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw TrackingError.invalidArtifactPath(path: relativePath, reason: "a directory of artifacts already has that path")
        }
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        guard fileManager.createFile(atPath: temporary.path, contents: nil) else {
            throw TrackingError.artifactIO(path: temporary.path, reason: "cannot create a temporary file")
        }
        var landed = false
        defer { if !landed { try? fileManager.removeItem(at: temporary) } }
        let hasher: SHA256
        do {
            hasher = try SHA256()
        } catch {
            throw TrackingError.artifactIO(path: relativePath, reason: "\(error)")
        }
        let size: Int64
        do {
            let output = try FileHandle(forWritingTo: temporary)
            defer { try? output.close() }
            try fill(output, hasher)
            size = Int64(try output.offset())
        } catch let error as TrackingError {
            throw error
        } catch {
            throw TrackingError.artifactIO(path: temporary.path, reason: "\(error.localizedDescription)")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw TrackingError.artifactIO(path: destination.path, reason: "cannot move the written file into place (\(reason))")
        }
        landed = true
        return (hasher.finalizeHex(), size)
    }

    /// Streams a file into `output` in 1 MiB blocks, hashing as it goes.
    private static func copyContents(of file: URL, to output: FileHandle, hasher: borrowing SHA256) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else {
            throw TrackingError.artifactIO(path: file.path, reason: "no such file")
        }
        if isDirectory.boolValue {
            throw TrackingError.artifactIO(path: file.path, reason: "it is a directory; use logArtifactDirectory to log a directory")
        }
        guard let input = FileHandle(forReadingAtPath: file.path) else {
            throw TrackingError.artifactIO(path: file.path, reason: "the file is not readable")
        }
        defer { try? input.close() }
        while true {
            let chunk: Data
            do {
                chunk = try input.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw TrackingError.artifactIO(path: file.path, reason: "read failed (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            hasher.update(chunk)
            try write(chunk, to: output, path: file.path)
        }
    }

    private static func write(_ data: Data, to output: FileHandle, path: String) throws {
        do {
            try output.write(contentsOf: data)
        } catch {
            throw TrackingError.artifactIO(path: path, reason: "write failed (\(error.localizedDescription))")
        }
    }

    /// Relative paths of the regular files under a directory, sorted.
    private static func regularFiles(under root: URL) throws -> [String] {
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey]
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else {
            throw TrackingError.artifactIO(path: root.path, reason: "cannot list the directory")
        }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var files: [String] = []
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: Set(keys))
            var isRegular = values?.isRegularFile ?? false
            if values?.isSymbolicLink == true {
                // A link to a file is logged with the file's content; a link to a directory
                // is skipped, since following it could loop or leave the tree.
                var isDirectory: ObjCBool = false
                isRegular = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            guard isRegular else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            files.append(String(path.dropFirst(rootPath.count)))
        }
        return files.sorted()
    }

    // MARK: Recording

    private func record(runID: String, entries: [(path: String, size: Int64, sha256: String)]) throws -> [Artifact] {
        let now = unixNow()
        try write { db in
            let seq = try requireRun(db, runID)
            let upsert = try db.cachedStatement("""
                INSERT INTO artifacts(run_seq, path, size, sha256, logged_time) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(run_seq, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256, logged_time = excluded.logged_time
                """ as StaticString)
            for entry in entries {
                try upsert.bind(int: seq, at: 1)
                try upsert.bind(text: entry.path, at: 2)
                try upsert.bind(int: entry.size, at: 3)
                try upsert.bind(text: entry.sha256, at: 4)
                try upsert.bind(double: now, at: 5)
                try upsert.run()
            }
        }
        return entries.map { Artifact(runID: runID, path: $0.path, size: $0.size, sha256: $0.sha256, loggedTime: Date(unixSeconds: now)) }
    }
}
