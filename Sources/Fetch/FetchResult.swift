import Foundation

/// The outcome of fetching one source.
public struct FetchResult: Sendable, Equatable {
    /// The source as the caller wrote it.
    public var source: String
    /// The local file with the content: in the cache directory for remote sources, the
    /// original file for local ones (or a decompressed copy in the cache for local `.gz` files).
    public var fileURL: URL
    /// The size of `fileURL` in bytes (after decompression).
    public var size: Int64
    /// The hex SHA-256 of `fileURL`'s content (after decompression).
    public var sha256: String
    /// True when no body crossed the network: the server answered 304 Not Modified, or the
    /// source is local.
    public var fromCache: Bool
    /// The final HTTP status (200, 206 after a resume, 304); nil for local sources.
    public var httpStatus: Int?
    /// The validators the server sent, which the next fetch sends back.
    public var etag: String?
    /// The `Last-Modified` header the server sent.
    public var lastModified: String?
    /// HTTP requests made, retries and resumes included; 1 for local sources.
    public var attempts: Int
    /// Wall-clock time of the whole fetch.
    public var duration: Duration
    /// Body bytes received over the network by all attempts, error answers included (0 on a
    /// cache hit).
    public var bytesTransferred: Int64
    /// Whether a `.gz` file was decompressed (a gzip Content-Encoding is always decoded and is
    /// not counted here).
    public var decompressed: Bool
}

/// One entry of a listing: an S3 object under a prefix, or a file in a directory.
public struct ListedObject: Sendable, Equatable {
    /// A source string `FetchClient.fetch` accepts (`s3://bucket/key` or `file:///path`).
    public var source: String
    /// The size, when the listing tells it.
    public var size: Int64?
    /// The S3 ETag, when listed from S3.
    public var etag: String?
    /// The modification time, when the listing tells it.
    public var lastModified: Date?

    /// Creates an entry.
    public init(source: String, size: Int64? = nil, etag: String? = nil, lastModified: Date? = nil) {
        self.source = source
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}
