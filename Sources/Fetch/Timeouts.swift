import Foundation

/// How long a transfer may take.
public struct Timeouts: Sendable, Equatable {
    /// The longest wait for a TCP (and TLS) connection.
    public var connect: Duration
    /// The longest a whole fetch may take, all attempts and backoff pauses included.
    public var total: Duration
    /// A transfer that moves less than one byte per second for this long is aborted and retried;
    /// this catches stalled connections without limiting large, slow but steady downloads.
    public var stall: Duration

    /// Creates timeouts.
    public init(connect: Duration = .seconds(15), total: Duration = .seconds(3600), stall: Duration = .seconds(60)) {
        self.connect = connect
        self.total = total
        self.stall = stall
    }

    /// 15 s to connect, one hour in total, 60 s without progress.
    public static let `default` = Timeouts()
}

enum HTTPDate {
    /// Parses the IMF-fixdate form servers use (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

extension Duration {
    var seconds: Double { self / .seconds(1) }

    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
