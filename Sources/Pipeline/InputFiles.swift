import Fetch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One input file as listed: its path or `s3://` URI and what identifies its version.
public struct InputFile: Sendable, Equatable {
    /// The checkpoint key: an absolute path, or `s3://bucket/key`.
    public var source: String
    public var size: Int64
    /// Unix seconds (local files; for S3, the listing's LastModified).
    public var modified: Double?
    /// The S3 ETag.
    public var etag: String?

    public init(source: String, size: Int64, modified: Double?, etag: String? = nil) {
        self.source = source
        self.size = size
        self.modified = modified
        self.etag = etag
    }

    /// Whether this is the same version of the file a checkpoint recorded.
    public func matches(_ checkpoint: FileCheckpoint) -> Bool {
        guard size == checkpoint.size else { return false }
        if let etag, let recorded = checkpoint.etag { return etag == recorded }
        if let modified, let recorded = checkpoint.modified { return abs(modified - recorded) < 0.001 }
        return true
    }

    /// Whether this is an S3 object (downloaded before reading).
    public var isRemote: Bool { source.hasPrefix("s3://") }
}

/// The input of the pipeline, as Auto Loader's: a directory (recursively) or an `s3://`
/// prefix of DNS log files, or a single file.
public struct InputLocation: Sendable {
    /// As the user gave it.
    public let location: String
    let client: FetchClient

    public init(_ location: String, client: FetchClient) {
        self.location = location
        self.client = client
    }

    /// The files there now, sorted by source. Hidden files and names ending in `.tmp`,
    /// `.part` or `.partial` (the usual names of files still being written) are left out.
    public func list() async throws -> [InputFile] {
        let uri: SourceURI
        do {
            uri = try SourceURI(location)
        } catch {
            throw PipelineError.inputUnavailable(location: location, reason: "\(error)")
        }
        var files: [InputFile]
        switch uri {
        case .http:
            throw PipelineError.inputUnavailable(location: location, reason: "HTTP locations cannot be listed; use a directory or an s3:// prefix")
        case let .file(path):
            files = try Self.listLocal(path)
        case .s3:
            do {
                files = try await client.list(location).map {
                    InputFile(source: $0.source, size: $0.size ?? 0, modified: $0.lastModified?.timeIntervalSince1970, etag: $0.etag)
                }
            } catch {
                throw PipelineError.inputUnavailable(location: location, reason: "\(error)")
            }
        }
        files.removeAll { file in
            let name = (file.source as NSString).lastPathComponent
            return name.hasPrefix(".") || Self.inProgressSuffixes.contains { name.hasSuffix($0) }
        }
        return files.sorted { $0.source < $1.source }
    }

    static let inProgressSuffixes = [".tmp", ".part", ".partial", ".crdownload"]

    static func listLocal(_ path: String) throws -> [InputFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineError.inputUnavailable(location: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            return fileState(path).map { [$0] } ?? []
        }
        let root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                               options: [.skipsHiddenFiles]) else {
            throw PipelineError.inputUnavailable(location: path, reason: "cannot list the directory")
        }
        var files: [InputFile] = []
        for case let url as URL in enumerator {
            if let file = fileState(url.standardizedFileURL.path) { files.append(file) }
        }
        return files
    }

    /// A local file's size and modification time now; nil when it is gone or not a regular file.
    public static func fileState(_ path: String) -> InputFile? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return InputFile(source: path, size: Int64(info.st_size), modified: modified)
    }
}
