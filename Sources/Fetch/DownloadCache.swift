import Digest
import Foundation

/// What the cache remembers about one URL, stored as `<key>.meta.json` beside the file.
struct CacheMetadata: Codable, Sendable, Equatable {
    /// The source as the caller wrote it, for people reading the cache directory.
    var source: String
    /// The URL that was requested; the cache key is derived from it.
    var url: String
    /// The cached file's name inside the cache directory.
    var file: String
    var sha256: String
    var size: Int64
    /// The cached file's modification time when it was written; a file changed since then is
    /// not trusted for conditional requests.
    var fileModified: Double
    var etag: String?
    var lastModified: String?
    var status: Int?
    var decompressed: Bool
    var fetchedAt: String
    /// For local `.gz` sources: the size and modification time of the compressed original.
    var originSize: Int64?
    var originModified: Double?
}

/// A directory of downloaded files, one per URL, each with a JSON sidecar.
///
/// Files are written under a hidden temporary name in the same directory and renamed into
/// place, so readers never see half a file, and a crash leaves at worst a stray `.part` file.
struct DownloadCache: Sendable {
    let directory: URL

    /// A short, stable name for a URL: 64 bits of its SHA-256 are plenty for one cache.
    static func key(for url: String) -> String {
        String(SHA256.hex(of: url).prefix(16))
    }

    func prepare(source: String) throws(FetchError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cache(source: source, path: directory.path, reason: "\(error.localizedDescription)")
        }
    }

    func metadataPath(key: String) -> String {
        directory.appendingPathComponent("\(key).meta.json").path
    }

    func dataPath(key: String, name: String) -> String {
        directory.appendingPathComponent("\(key)-\(name)").path
    }

    func temporaryPath(key: String) -> String {
        directory.appendingPathComponent(".\(key).\(UUID().uuidString).part").path
    }

    /// The metadata of a URL whose cached file is still there, unchanged since it was written.
    func load(key: String) -> CacheMetadata? {
        guard let data = FileManager.default.contents(atPath: metadataPath(key: key)),
              let metadata = try? JSONDecoder().decode(CacheMetadata.self, from: data),
              let stamp = Self.stamp(ofPath: dataPath(key: key, name: metadata.file)),
              stamp.size == metadata.size, abs(stamp.modified - metadata.fileModified) < 0.001 else {
            return nil
        }
        return metadata
    }

    func save(_ metadata: CacheMetadata, key: String) throws(FetchError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = metadataPath(key: key)
        do {
            try encoder.encode(metadata).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .cache(source: metadata.source, path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Size and modification time (seconds since 1970) of a regular file, following symlinks.
    static func stamp(ofPath path: String) -> (size: Int64, modified: Double)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
        let modified = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
        return (Int64(info.st_size), modified)
    }

    /// A file name safe to put in the cache directory, derived from the URL's last component.
    static func safeName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var cleaned = String(name.map { allowed.contains($0) ? $0 : "_" }.prefix(100))
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        return cleaned.isEmpty ? "download" : cleaned
    }

    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
