import Foundation

/// What an S3-compatible server said in the XML body of an error answer.
public struct S3ErrorDetail: Sendable, Equatable {
    /// The S3 error code, such as `NoSuchKey`, `AccessDenied` or `SignatureDoesNotMatch`.
    public var code: String
    /// The human-readable message the server sent with the code.
    public var message: String?
    /// The region the bucket lives in, when the server names it (redirect and region errors).
    public var region: String?
    /// The endpoint the server asks the client to use, when it names one.
    public var endpoint: String?

    /// Creates an error detail.
    public init(code: String, message: String? = nil, region: String? = nil, endpoint: String? = nil) {
        self.code = code
        self.message = message
        self.region = region
        self.endpoint = endpoint
    }
}

/// Everything that can go wrong while fetching or listing a source.
///
/// Each case names the source as the caller wrote it, what happened (the HTTP status and S3 error
/// code, or curl's own error text), and `description` adds what to check.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source is not an `http(s)://`, `s3://` or `file://` URI or a path.
    case invalidSource(source: String, reason: String)
    /// A local source is missing, unreadable or of the wrong kind.
    case localFile(source: String, path: String, reason: String)
    /// The S3 settings (credentials, profile, endpoint) cannot be used.
    case configuration(source: String, reason: String)
    /// The server answered with a status that is not a success, after `attempts` attempts.
    case httpStatus(source: String, url: String, status: Int, s3: S3ErrorDetail?, attempts: Int)
    /// libcurl could not complete the transfer; `message` is curl's own error text.
    case transport(source: String, url: String, curlCode: Int, message: String, attempts: Int)
    /// The whole fetch, retries included, took longer than the configured total timeout.
    case timedOut(source: String, url: String, after: Duration, attempts: Int, lastProblem: String)
    /// The server's answer could not be understood (malformed XML, inconsistent ranges).
    case invalidResponse(source: String, url: String, reason: String)
    /// The cache directory could not be written.
    case cache(source: String, path: String, reason: String)
    /// A gzip body or `.gz` file could not be decompressed.
    case decompression(source: String, reason: String)
    /// The task was cancelled; any partial download was removed.
    case cancelled(source: String)

    /// The source this error is about.
    public var source: String {
        switch self {
        case let .invalidSource(source, _), let .localFile(source, _, _), let .configuration(source, _),
             let .httpStatus(source, _, _, _, _), let .transport(source, _, _, _, _),
             let .timedOut(source, _, _, _, _), let .invalidResponse(source, _, _), let .cache(source, _, _),
             let .decompression(source, _), let .cancelled(source):
            return source
        }
    }

    /// The HTTP status the server answered, if the failure was an HTTP status.
    public var httpStatus: Int? {
        if case let .httpStatus(_, _, status, _, _) = self { return status }
        return nil
    }

    /// The S3 error code from the server's XML body, if there was one.
    public var s3ErrorCode: String? {
        if case let .httpStatus(_, _, _, s3, _) = self { return s3?.code }
        return nil
    }

    /// How many HTTP attempts were made before giving up (0 for failures before any request).
    public var attempts: Int {
        switch self {
        case let .httpStatus(_, _, _, _, attempts), let .transport(_, _, _, _, attempts),
             let .timedOut(_, _, _, attempts, _):
            return attempts
        default:
            return 0
        }
    }

    /// One paragraph: the source, what happened, and what to check.
    public var description: String {
        switch self {
        case let .invalidSource(source, reason):
            return "cannot fetch '\(source)': \(reason). Use an http(s):// URL, s3://bucket/key, s3://bucket/prefix/, file:///path or a local path."
        case let .localFile(source, path, reason):
            return "cannot read '\(source)' (\(path)): \(reason). Check the path and its permissions."
        case let .configuration(source, reason):
            return "cannot fetch '\(source)': \(reason)."
        case let .httpStatus(source, url, status, s3, attempts):
            var text = "fetching '\(source)' failed: \(url) answered HTTP \(status)"
            if let s3 {
                text += " \(s3.code)"
                if let message = s3.message, !message.isEmpty { text += " (\(message))" }
            }
            if attempts > 1 { text += " after \(attempts) attempts" }
            return text + ". " + Self.hint(status: status, s3: s3)
        case let .transport(source, url, code, message, attempts):
            var text = "fetching '\(source)' failed: \(url): \(message) (curl error \(code))"
            if attempts > 1 { text += " after \(attempts) attempts" }
            return text + ". " + Self.hint(curlCode: code, s3: source.hasPrefix("s3://"))
        case let .timedOut(source, url, after, attempts, lastProblem):
            return "fetching '\(source)' (\(url)) did not finish within the total timeout of \(FormatUnits.duration(after)) "
                + "(\(attempts) attempt\(attempts == 1 ? "" : "s"); last problem: \(lastProblem)). "
                + "Check the network and the server, or raise the total timeout."
        case let .invalidResponse(source, url, reason):
            return "fetching '\(source)' failed: \(url) sent an answer that cannot be used: \(reason). Check that the endpoint is an HTTP or S3-compatible server."
        case let .cache(source, path, reason):
            return "fetching '\(source)' failed: cannot write the cache at \(path): \(reason). Check free disk space and permissions of the cache directory."
        case let .decompression(source, reason):
            return "fetching '\(source)' failed: cannot decompress gzip data: \(reason). The file may be truncated or not really gzip."
        case let .cancelled(source):
            return "fetching '\(source)' was cancelled; the partial download was removed."
        }
    }

    static func hint(status: Int, s3: S3ErrorDetail?) -> String {
        switch s3?.code {
        case "SignatureDoesNotMatch":
            return "Check the secret access key (AWS_SECRET_ACCESS_KEY or the profile in the shared credentials file) and the region (AWS_REGION)."
        case "InvalidAccessKeyId":
            return "Check the access key id (AWS_ACCESS_KEY_ID or the profile in the shared credentials file) and that the endpoint (AWS_ENDPOINT_URL) is the store the key belongs to."
        case "InvalidToken", "ExpiredToken", "TokenRefreshRequired":
            return "The session token (AWS_SESSION_TOKEN) is invalid or expired: get fresh temporary credentials."
        case "AccessDenied", "AllAccessDisabled":
            return "The credentials (or anonymous access, if none are configured) may not read this object: check the credentials, the bucket policy and that the key exists (S3 answers AccessDenied for missing keys when listing is not allowed)."
        case "NoSuchBucket":
            return "Check the bucket name and the endpoint (AWS_ENDPOINT_URL) or region (AWS_REGION)."
        case "NoSuchKey":
            return "Check the object key (the path after the bucket name)."
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            var text = "The bucket is in another region or behind another endpoint"
            if let region = s3?.region { text += " (region \(region))" }
            if let endpoint = s3?.endpoint { text += " (endpoint \(endpoint))" }
            return text + ": set AWS_REGION or AWS_ENDPOINT_URL accordingly."
        case "SlowDown", "InternalError", "ServiceUnavailable":
            return "The store is overloaded or failing; try again later."
        default:
            break
        }
        switch status {
        case 401, 403:
            return "Check that the credentials are right and allowed to read this source."
        case 404, 410:
            return "Check the URL or path: the server has no such object."
        case 301, 302, 303, 307, 308:
            return "The server redirects elsewhere; for S3 check the region and endpoint."
        case 304:
            return "The server answered 'not modified' to a request that was not conditional."
        case 416:
            return "The server rejected the byte range; the download was restarted and still failed."
        case 429:
            return "The server is rate limiting; wait and try again, or fetch fewer sources at once."
        case 500...599:
            return "The server is failing; try again later or check its status."
        default:
            return "Check the URL and what the server expects."
        }
    }

    /// What to check after libcurl's error `curlCode`; for an `s3://` source, the endpoint is
    /// where `AWS_ENDPOINT_URL` points, which is worth naming there and only there.
    static func hint(curlCode: Int, s3: Bool) -> String {
        let server = s3 ? "the endpoint (AWS_ENDPOINT_URL)" : "the server"
        switch curlCode {
        case 6:
            return "Check the host name in the URL" + (s3 ? " or endpoint (AWS_ENDPOINT_URL)" : "") + " and DNS."
        case 7:
            return "Check that \(server) is running, its port, and firewalls or proxies."
        case 28:
            return "The server was too slow: check the network, or raise the connect, stall or total timeout."
        case 35, 58, 59, 60, 66, 77, 80, 83, 90, 91:
            return "TLS failed; verification stays on: check the system CA certificates (ca-certificates), the clock, and that the host name matches the certificate."
        case 18, 52, 55, 56, 92:
            return "The connection broke during the transfer: check the network or the server."
        case 47:
            return "Too many redirects: check the URL."
        case 1, 3:
            return "Check the URL's scheme and syntax."
        default:
            return "Check the URL, the network and the server."
        }
    }
}
