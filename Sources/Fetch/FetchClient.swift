import Digest
import Foundation

/// Downloads data sources (HTTP(S), S3, local files) into a cache directory.
///
/// Remote downloads are conditional (ETag / Last-Modified), retried with backoff, resumed with
/// Range after a broken connection, and land atomically in `cacheDirectory`. Each transfer
/// uses its own libcurl handle on its own thread, so one client may run many fetches at once.
public struct FetchClient: Sendable {
    /// Where downloads and their metadata live (the store's `cache/`).
    public let cacheDirectory: URL
    /// The variables S3 settings are read from when `s3` is nil.
    public let environment: [String: String]
    /// Explicit S3 settings; nil reads them from `environment` at each S3 request.
    public let s3: S3Configuration?
    /// When to retry.
    public let retryPolicy: RetryPolicy
    /// How long to wait.
    public let timeouts: Timeouts
    /// Whether `.gz` files (by name and magic bytes) are decompressed.
    public let decompressGzip: Bool
    /// The User-Agent header.
    public let userAgent: String

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - cacheDirectory: created when needed.
    ///   - environment: AWS settings are read from here, never from the process directly, so
    ///     tests and callers control them.
    ///   - s3: explicit S3 settings that override `environment`.
    public init(
        cacheDirectory: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        s3: S3Configuration? = nil,
        retryPolicy: RetryPolicy = .default,
        timeouts: Timeouts = .default,
        decompressGzip: Bool = true,
        userAgent: String = "runme-fetch/1.0"
    ) {
        self.cacheDirectory = cacheDirectory
        self.environment = environment
        self.s3 = s3
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
        self.decompressGzip = decompressGzip
        self.userAgent = userAgent
    }

    /// Fetches one object into the cache (or, for a local file, checks and hashes it in place).
    ///
    /// - Parameters:
    ///   - source: an `http(s)://` URL, `s3://bucket/key`, `file:///path` or a path.
    ///   - progress: receives download progress; the default bar draws on standard error only
    ///     when it is a terminal. Pass nil for silence.
    /// - Throws: `FetchError`; `.cancelled` when the task is cancelled (the partial file is removed).
    public func fetch(_ source: String, progress: (any ProgressReporter)? = ProgressBar.standardError()) async throws(FetchError) -> FetchResult {
        let start = ContinuousClock.now
        let uri = try SourceURI(source)
        switch uri {
        case let .file(path):
            return try fetchLocal(path: path, source: source, start: start)
        case .http, .s3:
            let tracker = progress.map { ProgressTracker(inner: $0) }
            do {
                let result = try await download(uri, source: source, progress: tracker, start: start)
                progress?.finish(tracker?.last, succeeded: true)
                return result
            } catch {
                progress?.finish(tracker?.last, succeeded: false)
                throw error
            }
        }
    }

    /// Expands a source and fetches every object in it, one after the other.
    public func fetchAll(_ source: String, progress: (any ProgressReporter)? = ProgressBar.standardError()) async throws(FetchError) -> [FetchResult] {
        var results: [FetchResult] = []
        for item in try await expand(source) {
            results.append(try await fetch(item, progress: progress))
        }
        return results
    }

    /// The objects a source stands for: every object under an S3 prefix (`s3://bucket/prefix/`
    /// or `s3://bucket`), every regular file under a local directory (recursively, sorted,
    /// hidden files skipped), or the source itself.
    ///
    /// - Parameter maxKeys: the S3 page size (1...1000); smaller pages mean more requests.
    public func list(_ source: String, maxKeys: Int = 1000) async throws(FetchError) -> [ListedObject] {
        let uri = try SourceURI(source)
        switch uri {
        case .http:
            return [ListedObject(source: source)]
        case let .s3(bucket, key):
            guard uri.isS3Prefix else { return [ListedObject(source: uri.description)] }
            return try await listS3(bucket: bucket, prefix: key, maxKeys: maxKeys, source: source)
        case let .file(path):
            return try listLocal(path: path, source: source)
        }
    }

    /// The source strings of `list(_:maxKeys:)`.
    public func expand(_ source: String, maxKeys: Int = 1000) async throws(FetchError) -> [String] {
        try await list(source, maxKeys: maxKeys).map(\.source)
    }

    // MARK: - Remote downloads

    private struct RemoteTarget {
        var url: String
        var headers: [String]
        var signing: TransferRequest.Signing?
        var isS3: Bool
    }

    /// The validators of the answer whose body is in the partial file.
    private struct Partial {
        var size: Int64
        var etag: String?
        var lastModified: String?
    }

    private func s3Configuration(source: String) throws(FetchError) -> S3Configuration {
        if let s3 { return s3 }
        do {
            return try S3Configuration.fromEnvironment(environment)
        } catch {
            if case let .configuration(what, reason) = error {
                throw .configuration(source: source, reason: "\(what): \(reason)")
            }
            throw error
        }
    }

    private func remoteTarget(_ uri: SourceURI, source: String) throws(FetchError) -> RemoteTarget {
        switch uri {
        case let .http(url):
            return RemoteTarget(url: url.absoluteString, headers: [], signing: nil, isS3: false)
        case let .s3(bucket, key):
            guard !uri.isS3Prefix else {
                throw .invalidSource(source: source, reason: "this is an S3 prefix, not an object: list or expand it to fetch the objects under it")
            }
            let config = try s3Configuration(source: source)
            let signing = config.credentials.map {
                TransferRequest.Signing(region: config.region, accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey)
            }
            return RemoteTarget(url: config.objectURL(bucket: bucket, key: key), headers: config.signedHeaders,
                                signing: signing, isS3: true)
        case .file:
            throw .invalidSource(source: source, reason: "not a remote source")
        }
    }

    private func download(_ uri: SourceURI, source: String, progress: (any ProgressReporter)?,
                          start: ContinuousClock.Instant) async throws(FetchError) -> FetchResult {
        let target = try remoteTarget(uri, source: source)
        let cache = DownloadCache(directory: cacheDirectory)
        try cache.prepare(source: source)
        let key = DownloadCache.key(for: target.url)
        let cached = cache.load(key: key)
        let tempPath = cache.temporaryPath(key: key)
        // After a successful rename this finds nothing; on every failure it removes the partial.
        defer { unlink(tempPath) }

        let deadline = start + timeouts.total
        var attempts = 0
        var partial: Partial?
        var received: Int64 = 0
        var lastProblem = "none"
        while true {
            attempts += 1
            if Task.isCancelled { throw .cancelled(source: source) }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw .timedOut(source: source, url: target.url, after: timeouts.total, attempts: attempts - 1, lastProblem: lastProblem)
            }

            var headers = target.headers
            var resumeOffset: Int64 = 0
            var conditional = false
            if let partial, partial.size > 0 {
                resumeOffset = partial.size
                headers.append("Range: bytes=\(resumeOffset)-")
                // If-Range makes the server send the whole new body if the object changed meanwhile.
                if let etag = partial.etag, !etag.hasPrefix("W/") {
                    headers.append("If-Range: \(etag)")
                } else if let lastModified = partial.lastModified {
                    headers.append("If-Range: \(lastModified)")
                }
            } else if let cached {
                if let etag = cached.etag { headers.append("If-None-Match: \(etag)") }
                if let lastModified = cached.lastModified { headers.append("If-Modified-Since: \(lastModified)") }
                conditional = cached.etag != nil || cached.lastModified != nil
            }

            let request = TransferRequest(
                url: target.url, headers: headers, signing: target.signing,
                // A resumed body must be identity-encoded: the partial file holds identity bytes.
                followRedirects: !target.isS3, pathAsIs: target.isS3, acceptEncoding: resumeOffset == 0,
                connectTimeout: timeouts.connect, timeout: deadline - now, stallTimeout: timeouts.stall,
                userAgent: userAgent)
            let outcome = await CurlTransfer.run(request, sink: .file(path: tempPath, resumeOffset: resumeOffset),
                                                 source: source, progress: progress, fetchStart: start)
            received += outcome.bytesReceived

            if outcome.cancelled || Task.isCancelled { throw .cancelled(source: source) }
            if let problem = outcome.setupError {
                throw .transport(source: source, url: target.url, curlCode: 0, message: problem, attempts: attempts)
            }
            if let problem = outcome.localWriteError {
                throw .cache(source: source, path: tempPath, reason: problem)
            }
            if let mismatch = outcome.rangeMismatch {
                // The server mishandles ranges: drop the partial body and download it whole.
                partial = nil
                lastProblem = mismatch
                guard attempts < retryPolicy.maxAttempts else {
                    throw .invalidResponse(source: source, url: target.url, reason: mismatch)
                }
                continue
            }

            if outcome.succeeded {
                let status = outcome.status
                if status == 304 {
                    guard conditional, let cached else {
                        throw .httpStatus(source: source, url: target.url, status: status, s3: nil, attempts: attempts)
                    }
                    return FetchResult(
                        source: source, fileURL: URL(fileURLWithPath: cache.dataPath(key: key, name: cached.file)),
                        size: cached.size, sha256: cached.sha256, fromCache: true, httpStatus: 304,
                        etag: outcome.headers["etag"] ?? cached.etag,
                        lastModified: outcome.headers["last-modified"] ?? cached.lastModified,
                        attempts: attempts, duration: ContinuousClock.now - start, bytesTransferred: received,
                        decompressed: cached.decompressed)
                }
                if (200..<300).contains(status) {
                    if status == 206, let total = outcome.headers["content-range"].flatMap(ContentRange.init)?.total,
                       outcome.fileSize != total {
                        // The range answer ended early without curl noticing: resume again.
                        partial = Partial(size: outcome.fileSize, etag: outcome.headers["etag"] ?? partial?.etag,
                                          lastModified: outcome.headers["last-modified"] ?? partial?.lastModified)
                        lastProblem = "the resumed body ended at \(outcome.fileSize) of \(total) bytes"
                        try await pauseBeforeRetry(after: attempts, retryAfter: nil, deadline: deadline,
                                                   source: source, url: target.url, lastProblem: lastProblem)
                        continue
                    }
                    let etag = outcome.headers["etag"] ?? (status == 206 ? partial?.etag : nil)
                    let lastModified = outcome.headers["last-modified"] ?? (status == 206 ? partial?.lastModified : nil)
                    return try store(
                        tempPath: tempPath, key: key, cache: cache, uri: uri, source: source, url: target.url,
                        status: status, etag: etag, lastModified: lastModified, previous: cached,
                        attempts: attempts, start: start, received: received)
                }
                if status == 416 && resumeOffset > 0 {
                    // The partial body no longer fits the object: start over without Range.
                    partial = nil
                    lastProblem = "HTTP 416 to a resume request"
                    guard attempts < retryPolicy.maxAttempts else {
                        throw .httpStatus(source: source, url: target.url, status: status, s3: nil, attempts: attempts)
                    }
                    continue
                }
                let s3Error = S3XML.parseError(outcome.body)
                if RetryPolicy.isRetryable(status: status) && attempts < retryPolicy.maxAttempts {
                    lastProblem = "HTTP \(status)" + (s3Error.map { " \($0.code)" } ?? "")
                    try await pauseBeforeRetry(after: attempts, retryAfter: retryAfter(outcome), deadline: deadline,
                                               source: source, url: target.url, lastProblem: lastProblem)
                    continue
                }
                throw .httpStatus(source: source, url: target.url, status: status, s3: s3Error, attempts: attempts)
            }

            // libcurl failed. Keep what arrived when it can be resumed with Range.
            if (outcome.status == 200 || outcome.status == 206) {
                if outcome.contentEncoded || outcome.fileSize == 0 {
                    partial = nil
                } else {
                    partial = Partial(size: outcome.fileSize,
                                      etag: outcome.headers["etag"] ?? partial?.etag,
                                      lastModified: outcome.headers["last-modified"] ?? partial?.lastModified)
                }
            }
            lastProblem = "\(outcome.curlMessage) (curl error \(outcome.curlCode))"
            if outcome.curlCode == 28 && ContinuousClock.now >= deadline {
                throw .timedOut(source: source, url: target.url, after: timeouts.total, attempts: attempts, lastProblem: lastProblem)
            }
            guard RetryPolicy.isRetryable(curlCode: outcome.curlCode) && attempts < retryPolicy.maxAttempts else {
                throw .transport(source: source, url: target.url, curlCode: outcome.curlCode,
                                 message: outcome.curlMessage, attempts: attempts)
            }
            try await pauseBeforeRetry(after: attempts, retryAfter: nil, deadline: deadline,
                                       source: source, url: target.url, lastProblem: lastProblem)
        }
    }

    /// Moves a finished download into place (decompressing `.gz` files), then records it.
    private func store(
        tempPath: String, key: String, cache: DownloadCache, uri: SourceURI, source: String, url: String,
        status: Int, etag: String?, lastModified: String?, previous: CacheMetadata?,
        attempts: Int, start: ContinuousClock.Instant, received: Int64
    ) throws(FetchError) -> FetchResult {
        var name = DownloadCache.safeName(uri.fileName)
        var readyPath = tempPath
        let decompressedPath = cache.temporaryPath(key: key)
        defer { unlink(decompressedPath) }
        var decompressed = false
        let digest: (sha256: String, size: Int64)
        if decompressGzip && name.lowercased().hasSuffix(".gz") && Gzip.hasMagic(atPath: tempPath) {
            do {
                digest = try Gzip.decompress(from: tempPath, to: decompressedPath)
            } catch {
                throw .decompression(source: source, reason: error.reason)
            }
            name = DownloadCache.safeName(String(name.dropLast(3)))
            readyPath = decompressedPath
            decompressed = true
        } else {
            do {
                digest = try SHA256.hexAndSize(ofFile: URL(fileURLWithPath: tempPath))
            } catch {
                throw .cache(source: source, path: tempPath, reason: "\(error)")
            }
        }

        let finalPath = cache.dataPath(key: key, name: name)
        guard rename(readyPath, finalPath) == 0 else {
            throw .cache(source: source, path: finalPath, reason: String(cString: strerror(errno)))
        }
        if let previous, previous.file != name {
            unlink(cache.dataPath(key: key, name: previous.file))
        }
        guard let stamp = DownloadCache.stamp(ofPath: finalPath) else {
            throw .cache(source: source, path: finalPath, reason: "the file vanished right after it was written")
        }
        let metadata = CacheMetadata(
            source: source, url: url, file: name, sha256: digest.sha256, size: digest.size,
            fileModified: stamp.modified, etag: etag, lastModified: lastModified, status: status,
            decompressed: decompressed, fetchedAt: DownloadCache.timestamp(), originSize: nil, originModified: nil)
        try cache.save(metadata, key: key)
        return FetchResult(
            source: source, fileURL: URL(fileURLWithPath: finalPath), size: digest.size, sha256: digest.sha256,
            fromCache: false, httpStatus: status, etag: etag, lastModified: lastModified, attempts: attempts,
            duration: ContinuousClock.now - start, bytesTransferred: received, decompressed: decompressed)
    }

    private func retryAfter(_ outcome: TransferOutcome) -> Duration? {
        guard outcome.status == 429 || outcome.status == 503, let value = outcome.headers["retry-after"] else { return nil }
        return RetryPolicy.parseRetryAfter(value)
    }

    /// Waits out the backoff, unless that would pass the total deadline or the task is cancelled.
    private func pauseBeforeRetry(after attempt: Int, retryAfter: Duration?, deadline: ContinuousClock.Instant,
                                  source: String, url: String, lastProblem: String) async throws(FetchError) {
        let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
        guard ContinuousClock.now + delay < deadline else {
            throw .timedOut(source: source, url: url, after: timeouts.total, attempts: attempt, lastProblem: lastProblem)
        }
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw .cancelled(source: source)
        }
    }

    // MARK: - S3 listing

    private func listS3(bucket: String, prefix: String, maxKeys: Int, source: String) async throws(FetchError) -> [ListedObject] {
        let config = try s3Configuration(source: source)
        let signing = config.credentials.map {
            TransferRequest.Signing(region: config.region, accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey)
        }
        let pageSize = min(max(maxKeys, 1), 1000)
        var objects: [ListedObject] = []
        var token: String?
        var seenTokens = Set<String>()
        while true {
            let url = config.listURL(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            let body = try await getSmall(url: url, headers: config.signedHeaders, signing: signing, source: source)
            guard let page = S3XML.parseListPage(body) else {
                throw .invalidResponse(source: source, url: url, reason: "the body is not a ListBucketResult XML document")
            }
            for object in page.objects where !object.key.hasSuffix("/") {
                // Keys ending in '/' are the empty "folder" markers consoles create, not data.
                objects.append(ListedObject(source: "s3://\(bucket)/\(object.key)", size: object.size,
                                            etag: object.etag, lastModified: object.lastModified))
            }
            guard page.isTruncated else { break }
            guard let next = page.nextContinuationToken, !next.isEmpty, seenTokens.insert(next).inserted else {
                throw .invalidResponse(source: source, url: url, reason: "a truncated listing without a new continuation token")
            }
            token = next
        }
        return objects
    }

    /// A GET whose body is kept in memory (listings), with the same retries as downloads.
    private func getSmall(url: String, headers: [String], signing: TransferRequest.Signing?, source: String) async throws(FetchError) -> Data {
        let start = ContinuousClock.now
        let deadline = start + timeouts.total
        var attempts = 0
        while true {
            attempts += 1
            if Task.isCancelled { throw .cancelled(source: source) }
            let now = ContinuousClock.now
            let request = TransferRequest(
                url: url, headers: headers, signing: signing, followRedirects: false, pathAsIs: true,
                acceptEncoding: true, connectTimeout: timeouts.connect, timeout: deadline - now,
                stallTimeout: timeouts.stall, userAgent: userAgent)
            let outcome = await CurlTransfer.run(request, sink: .memory(limit: 64 << 20), source: source,
                                                 progress: nil, fetchStart: start)
            if outcome.cancelled || Task.isCancelled { throw .cancelled(source: source) }
            if let problem = outcome.setupError ?? outcome.localWriteError {
                throw .transport(source: source, url: url, curlCode: 0, message: problem, attempts: attempts)
            }
            if outcome.succeeded {
                if (200..<300).contains(outcome.status) { return outcome.body }
                let s3Error = S3XML.parseError(outcome.body)
                if RetryPolicy.isRetryable(status: outcome.status) && attempts < retryPolicy.maxAttempts {
                    try await pauseBeforeRetry(after: attempts, retryAfter: retryAfter(outcome), deadline: deadline,
                                               source: source, url: url, lastProblem: "HTTP \(outcome.status)")
                    continue
                }
                throw .httpStatus(source: source, url: url, status: outcome.status, s3: s3Error, attempts: attempts)
            }
            let problem = "\(outcome.curlMessage) (curl error \(outcome.curlCode))"
            if outcome.curlCode == 28 && ContinuousClock.now >= deadline {
                throw .timedOut(source: source, url: url, after: timeouts.total, attempts: attempts, lastProblem: problem)
            }
            guard RetryPolicy.isRetryable(curlCode: outcome.curlCode) && attempts < retryPolicy.maxAttempts else {
                throw .transport(source: source, url: url, curlCode: outcome.curlCode, message: outcome.curlMessage, attempts: attempts)
            }
            try await pauseBeforeRetry(after: attempts, retryAfter: nil, deadline: deadline, source: source, url: url, lastProblem: problem)
        }
    }

    // MARK: - Local sources

    private func fetchLocal(path: String, source: String, start: ContinuousClock.Instant) throws(FetchError) -> FetchResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .localFile(source: source, path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .localFile(source: source, path: path, reason: "this is a directory: list or expand it to fetch the files in it")
        }
        guard access(path, R_OK) == 0 else {
            throw .localFile(source: source, path: path, reason: "not readable: \(String(cString: strerror(errno)))")
        }
        if decompressGzip && path.lowercased().hasSuffix(".gz") && Gzip.hasMagic(atPath: path) {
            return try decompressLocal(path: path, source: source, start: start)
        }
        let digest: (sha256: String, size: Int64)
        do {
            digest = try SHA256.hexAndSize(ofFile: URL(fileURLWithPath: path))
        } catch {
            throw .localFile(source: source, path: path, reason: "\(error)")
        }
        return FetchResult(
            source: source, fileURL: URL(fileURLWithPath: path), size: digest.size, sha256: digest.sha256,
            fromCache: true, httpStatus: nil, etag: nil, lastModified: nil, attempts: 1,
            duration: ContinuousClock.now - start, bytesTransferred: 0, decompressed: false)
    }

    /// Local `.gz` files are decompressed once into the cache and reused while the original's
    /// size and modification time stay the same.
    private func decompressLocal(path: String, source: String, start: ContinuousClock.Instant) throws(FetchError) -> FetchResult {
        let cache = DownloadCache(directory: cacheDirectory)
        try cache.prepare(source: source)
        let key = DownloadCache.key(for: URL(fileURLWithPath: path).absoluteString)
        guard let origin = DownloadCache.stamp(ofPath: path) else {
            throw .localFile(source: source, path: path, reason: "not a regular file")
        }
        if let cached = cache.load(key: key), cached.originSize == origin.size,
           let modified = cached.originModified, abs(modified - origin.modified) < 0.001 {
            return FetchResult(
                source: source, fileURL: URL(fileURLWithPath: cache.dataPath(key: key, name: cached.file)),
                size: cached.size, sha256: cached.sha256, fromCache: true, httpStatus: nil, etag: nil,
                lastModified: nil, attempts: 1, duration: ContinuousClock.now - start, bytesTransferred: 0,
                decompressed: true)
        }
        let tempPath = cache.temporaryPath(key: key)
        defer { unlink(tempPath) }
        let digest: (sha256: String, size: Int64)
        do {
            digest = try Gzip.decompress(from: path, to: tempPath)
        } catch {
            throw .decompression(source: source, reason: error.reason)
        }
        let base = (path as NSString).lastPathComponent
        let name = DownloadCache.safeName(String(base.dropLast(3)))
        let finalPath = cache.dataPath(key: key, name: name)
        guard rename(tempPath, finalPath) == 0 else {
            throw .cache(source: source, path: finalPath, reason: String(cString: strerror(errno)))
        }
        guard let stamp = DownloadCache.stamp(ofPath: finalPath) else {
            throw .cache(source: source, path: finalPath, reason: "the file vanished right after it was written")
        }
        try cache.save(CacheMetadata(
            source: source, url: URL(fileURLWithPath: path).absoluteString, file: name, sha256: digest.sha256,
            size: digest.size, fileModified: stamp.modified, etag: nil, lastModified: nil, status: nil,
            decompressed: true, fetchedAt: DownloadCache.timestamp(), originSize: origin.size,
            originModified: origin.modified), key: key)
        return FetchResult(
            source: source, fileURL: URL(fileURLWithPath: finalPath), size: digest.size, sha256: digest.sha256,
            fromCache: true, httpStatus: nil, etag: nil, lastModified: nil, attempts: 1,
            duration: ContinuousClock.now - start, bytesTransferred: 0, decompressed: true)
    }

    private func listLocal(path: String, source: String) throws(FetchError) -> [ListedObject] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .localFile(source: source, path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            let stamp = DownloadCache.stamp(ofPath: path)
            return [ListedObject(source: URL(fileURLWithPath: path).absoluteString, size: stamp?.size,
                                 lastModified: stamp.map { Date(timeIntervalSince1970: $0.modified) })]
        }
        let root = URL(fileURLWithPath: path, isDirectory: true)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil,
                                                               options: [.skipsHiddenFiles]) else {
            throw .localFile(source: source, path: path, reason: "cannot read the directory")
        }
        var entries: [ListedObject] = []
        for case let url as URL in enumerator {
            // stat follows symlinks, so a link to a regular file counts as one.
            guard let stamp = DownloadCache.stamp(ofPath: url.path) else { continue }
            entries.append(ListedObject(source: URL(fileURLWithPath: url.path).absoluteString, size: stamp.size,
                                        lastModified: Date(timeIntervalSince1970: stamp.modified)))
        }
        return entries.sorted { $0.source < $1.source }
    }
}
