import Foundation

/// When and how often a failed transfer is tried again.
///
/// Connection errors, timeouts, broken transfers, 408, 429 and 5xx answers are retried with
/// exponential backoff and jitter; other 4xx answers are final because asking again cannot change
/// them. A `Retry-After` header on 429 or 503 replaces the computed delay, capped by
/// `maxRetryAfter` so that a hostile or confused server cannot stall a job for hours.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first one; 1 disables retries.
    public var maxAttempts: Int
    /// The delay before the second attempt, before jitter.
    public var initialDelay: Duration
    /// The factor between successive delays.
    public var multiplier: Double
    /// The largest computed delay, before jitter.
    public var maxDelay: Duration
    /// The largest `Retry-After` the client is willing to wait.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = max(.zero, initialDelay)
        self.multiplier = max(1, multiplier)
        self.maxDelay = max(.zero, maxDelay)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
    }

    /// Five attempts, 0.5 s doubling up to 30 s, `Retry-After` honoured up to 60 s.
    public static let `default` = RetryPolicy()

    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The pause after failed attempt number `attempt` (1-based).
    ///
    /// Without `retryAfter` the delay is `initialDelay * multiplier^(attempt-1)`, capped at
    /// `maxDelay`, then scaled by a factor in [0.5, 1] from `jitter` so that many clients that
    /// failed together do not come back together.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, jitter: Double) -> Duration {
        if let retryAfter {
            return min(max(.zero, retryAfter), maxRetryAfter)
        }
        let exponent = Double(max(0, attempt - 1))
        let base = initialDelay.seconds * pow(multiplier, exponent)
        let capped = min(base, maxDelay.seconds)
        let factor = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return .milliseconds(Int64((capped * factor * 1000).rounded()))
    }

    /// Whether an HTTP status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// Whether a libcurl error code is worth another attempt: connection, timeout and broken
    /// transfer errors are; TLS verification, malformed URLs and our own aborts are not.
    public static func isRetryable(curlCode: Int) -> Bool {
        switch curlCode {
        case 5,  // proxy host not resolved
             6,  // host not resolved (DNS can fail transiently)
             7,  // could not connect
             16, // HTTP/2 framing
             18, // partial file: body shorter than Content-Length
             28, // timeout
             35, // TLS handshake broken (not a verification failure, which is 60)
             52, // empty reply
             55, // send error
             56, // receive error
             92: // HTTP/2 stream error
            return true
        default:
            return false
        }
    }

    /// Parses a `Retry-After` value: delta seconds or an HTTP date.
    static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        return .milliseconds(Int64(max(0, interval) * 1000))
    }
}
