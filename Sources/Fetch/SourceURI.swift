import Foundation

/// A data source as the user wrote it, parsed into what the client can fetch.
///
/// - `http://` and `https://` URLs.
/// - `s3://bucket/key` for one object, `s3://bucket/prefix/` or `s3://bucket` for every object
///   under a prefix. Keys are taken literally (not percent-decoded), as the AWS CLI does.
/// - `file:///path` and plain paths (relative paths are resolved against the current directory).
public enum SourceURI: Sendable, Hashable, CustomStringConvertible {
    /// An HTTP or HTTPS URL.
    case http(URL)
    /// An S3 object, or with an empty key or one ending in `/`, a prefix.
    case s3(bucket: String, key: String)
    /// A local file or directory, as an absolute path.
    case file(path: String)

    /// Parses a source string.
    public init(_ text: String) throws(FetchError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw .invalidSource(source: text, reason: "the source is empty")
        }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: trimmed), let host = url.host, !host.isEmpty else {
                throw .invalidSource(source: text, reason: "not a valid URL (spaces and other special characters must be percent-encoded)")
            }
            // Credentials in a URL would end up in logs, errors and the cache metadata.
            if url.user != nil || url.password != nil {
                throw .invalidSource(source: text, reason: "user names and passwords in URLs are not supported")
            }
            self = .http(url)
        } else if lower.hasPrefix("s3://") {
            let rest = trimmed.dropFirst("s3://".count)
            let bucket: Substring
            let key: Substring
            if let slash = rest.firstIndex(of: "/") {
                bucket = rest[..<slash]
                key = rest[rest.index(after: slash)...]
            } else {
                bucket = rest
                key = ""
            }
            try Self.validateBucket(String(bucket), source: text)
            self = .s3(bucket: String(bucket), key: String(key))
        } else if lower.hasPrefix("file://") {
            let path: String
            if let url = URL(string: trimmed), url.isFileURL {
                if let host = url.host, !host.isEmpty, host != "localhost" {
                    throw .invalidSource(source: text, reason: "file URLs on another host ('\(host)') are not supported")
                }
                path = url.path
            } else {
                // Accept unencoded paths such as file:///tmp/a b.txt rather than rejecting them.
                path = String(trimmed.dropFirst("file://".count))
            }
            guard path.hasPrefix("/") else {
                throw .invalidSource(source: text, reason: "a file URL needs an absolute path (file:///path)")
            }
            self = .file(path: Self.keepTrailingSlash(of: trimmed, on: path))
        } else if let schemeEnd = trimmed.range(of: "://"),
                  trimmed[..<schemeEnd.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) {
            let scheme = trimmed[..<schemeEnd.lowerBound]
            throw .invalidSource(source: text, reason: "the scheme '\(scheme)' is not supported")
        } else {
            let absolute: String
            if trimmed.hasPrefix("/") {
                absolute = trimmed
            } else {
                absolute = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                    .appendingPathComponent(trimmed).path
            }
            self = .file(path: Self.keepTrailingSlash(of: trimmed, on: absolute))
        }
    }

    /// Whether this names a set of objects (an S3 prefix) rather than one object. Local
    /// directories are recognised when they are listed, since that needs the file system.
    public var isS3Prefix: Bool {
        if case let .s3(_, key) = self { return key.isEmpty || key.hasSuffix("/") }
        return false
    }

    public var description: String {
        switch self {
        case let .http(url): return url.absoluteString
        case let .s3(bucket, key): return "s3://\(bucket)/\(key)"
        case let .file(path): return URL(fileURLWithPath: path).absoluteString
        }
    }

    /// The last path component, used to name the cached file.
    var fileName: String {
        switch self {
        case let .http(url):
            return url.lastPathComponent == "/" ? "" : url.lastPathComponent
        case let .s3(_, key):
            return key.split(separator: "/").last.map(String.init) ?? ""
        case let .file(path):
            return (path as NSString).lastPathComponent
        }
    }

    private static func keepTrailingSlash(of original: String, on path: String) -> String {
        // URL.path and appendingPathComponent drop a trailing slash, which marks a directory.
        if original.hasSuffix("/") && !path.hasSuffix("/") { return path + "/" }
        return path
    }

    private static func validateBucket(_ bucket: String, source: String) throws(FetchError) {
        guard !bucket.isEmpty else {
            throw .invalidSource(source: source, reason: "no bucket name after s3://")
        }
        // Bucket names are DNS-like; anything else is a typo and would corrupt the request URL.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        guard bucket.count <= 255, bucket.allSatisfy({ allowed.contains($0) }) else {
            throw .invalidSource(source: source, reason: "'\(bucket)' is not a valid bucket name")
        }
    }
}
