import Foundation

/// What an HTTP request sends as its body.
public enum HTTPBody: Sendable, Equatable {
    /// No body.
    case none
    /// Bytes in memory (JSON documents, small files).
    case data(Data)
    /// A file streamed from disk, so large uploads never sit in memory. Each attempt reads it
    /// from the start.
    case file(URL)
}

/// One HTTP request for `HTTPClient`.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `HEAD`.
    public var method: String
    /// An absolute `http://` or `https://` URL, already percent-encoded.
    public var url: String
    /// Extra header lines (`Name: value`).
    public var headers: [String]
    /// The body.
    public var body: HTTPBody

    /// Creates a request.
    public init(method: String = "GET", url: String, headers: [String] = [], body: HTTPBody = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A request whose body is `json`, with the JSON content type.
    public static func json(method: String, url: String, headers: [String] = [], body json: Data) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers + ["Content-Type: application/json"], body: .data(json))
    }
}

/// The server's final answer to a request, after any retries.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    /// The body (capped at 64 KiB when the status is not a success).
    public var body: Data
    /// How many attempts were made, the successful one included.
    public var attempts: Int

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Why a request got no answer from the server at all.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl could not complete the exchange (connection refused, DNS, TLS, broken
    /// connection), after `attempts` attempts; `message` is curl's own text.
    case transport(method: String, url: String, curlCode: Int, message: String, attempts: Int)
    /// The retries did not end within the total timeout.
    case timedOut(method: String, url: String, after: Duration, attempts: Int, lastProblem: String)
    /// A local problem: the upload file cannot be read, the answer is too large to keep.
    case local(method: String, url: String, reason: String)
    /// The task was cancelled.
    case cancelled(method: String, url: String)

    /// The libcurl error code of a transport failure.
    public var curlCode: Int? {
        if case let .transport(_, _, code, _, _) = self { return code }
        return nil
    }

    /// One sentence: the request, what happened, and what to check.
    public var description: String {
        switch self {
        case let .transport(method, url, code, message, attempts):
            var text = "\(method) \(url) failed: \(message) (curl error \(code))"
            if attempts > 1 { text += " after \(attempts) attempts" }
            return text + ". " + FetchError.hint(curlCode: code, s3: false)
        case let .timedOut(method, url, after, attempts, lastProblem):
            return "\(method) \(url) did not succeed within \(FormatUnits.duration(after)) (\(attempts) attempt\(attempts == 1 ? "" : "s"); last problem: \(lastProblem)). Check the server and the network."
        case let .local(method, url, reason):
            return "\(method) \(url) failed: \(reason)."
        case let .cancelled(method, url):
            return "\(method) \(url) was cancelled."
        }
    }
}

/// Sends HTTP requests with any method and body over libcurl, retrying transient failures
/// (connection errors, timeouts, 408, 429, 5xx) with the same `RetryPolicy` as downloads.
///
/// A non-success status is not an error here: after the retries the caller gets the final
/// answer and decides (an API's 404 often means "create it"). Each request uses its own libcurl
/// handle on its own thread, so one client may send many requests at once.
public struct HTTPClient: Sendable {
    /// When to retry.
    public let retryPolicy: RetryPolicy
    /// Connect and stall limits per attempt; `total` bounds one request with all its retries.
    public let timeouts: Timeouts
    /// The User-Agent header.
    public let userAgent: String
    /// The largest success body kept in memory.
    public let maxResponseBytes: Int

    /// Creates a client.
    public init(retryPolicy: RetryPolicy = .default, timeouts: Timeouts = .default,
                userAgent: String = "runme/1.0", maxResponseBytes: Int = 256 << 20) {
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
        self.userAgent = userAgent
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends a request, retrying transient failures, and returns the final answer.
    ///
    /// - Throws: `HTTPClientError` when no answer came (after the retries), the upload file
    ///   cannot be read, or the task was cancelled.
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let start = ContinuousClock.now
        let deadline = start + timeouts.total
        let upload: TransferUpload?
        switch request.body {
        case .none:
            upload = nil
        case let .data(data):
            upload = .data(data)
        case let .file(url):
            let size: Int64
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
                size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            } catch {
                throw .local(method: request.method, url: request.url, reason: "cannot read \(url.path): \(error.localizedDescription)")
            }
            upload = .file(path: url.path, size: size)
        }
        // A large upload would otherwise wait for a 100-continue some servers never send.
        let headers = upload == nil ? request.headers : request.headers + ["Expect:"]
        var attempts = 0
        var lastProblem = "none"
        while true {
            attempts += 1
            if Task.isCancelled { throw .cancelled(method: request.method, url: request.url) }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw .timedOut(method: request.method, url: request.url, after: timeouts.total, attempts: attempts - 1, lastProblem: lastProblem)
            }
            var transfer = TransferRequest(
                url: request.url, headers: headers, signing: nil, followRedirects: false, pathAsIs: true,
                acceptEncoding: true, connectTimeout: timeouts.connect, timeout: deadline - now,
                stallTimeout: timeouts.stall, userAgent: userAgent)
            transfer.method = request.method
            transfer.upload = upload
            let outcome = await CurlTransfer.run(transfer, sink: .memory(limit: maxResponseBytes), source: request.url,
                                                 progress: nil, fetchStart: start)
            if outcome.cancelled || Task.isCancelled { throw .cancelled(method: request.method, url: request.url) }
            if let problem = outcome.setupError ?? outcome.localWriteError {
                throw .local(method: request.method, url: request.url, reason: problem)
            }
            var retryAfter: Duration?
            if outcome.succeeded {
                let response = HTTPResponse(status: outcome.status, headers: outcome.headers, body: outcome.body, attempts: attempts)
                guard RetryPolicy.isRetryable(status: outcome.status), attempts < retryPolicy.maxAttempts else {
                    return response
                }
                lastProblem = "HTTP \(outcome.status)"
                if outcome.status == 429 || outcome.status == 503 {
                    retryAfter = outcome.headers["retry-after"].flatMap { RetryPolicy.parseRetryAfter($0) }
                }
                let delay = retryPolicy.delay(afterAttempt: attempts, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
                // With no time left for another attempt, the last answer is the answer.
                guard ContinuousClock.now + delay < deadline else { return response }
                do { try await Task.sleep(for: delay) } catch { throw .cancelled(method: request.method, url: request.url) }
                continue
            }
            guard RetryPolicy.isRetryable(curlCode: outcome.curlCode), attempts < retryPolicy.maxAttempts else {
                throw .transport(method: request.method, url: request.url, curlCode: outcome.curlCode,
                                 message: outcome.curlMessage, attempts: attempts)
            }
            lastProblem = "\(outcome.curlMessage) (curl error \(outcome.curlCode))"
            let delay = retryPolicy.delay(afterAttempt: attempts, retryAfter: nil, jitter: Double.random(in: 0...1))
            guard ContinuousClock.now + delay < deadline else {
                throw .timedOut(method: request.method, url: request.url, after: timeouts.total, attempts: attempts, lastProblem: lastProblem)
            }
            do { try await Task.sleep(for: delay) } catch { throw .cancelled(method: request.method, url: request.url) }
        }
    }
}
