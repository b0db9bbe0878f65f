import Foundation

/// Times as the lakehouse stores them: UTC text in SQLite's own form,
/// `YYYY-MM-DD HH:MM:SS.SSS`, so that `datetime('now', '-1 day')` compares with them.
public enum SQLTime {
    /// The text of a moment.
    public static func text(_ date: Date) -> String {
        text(unixMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// The text of a Unix time in seconds.
    public static func text(unixSeconds: Int64) -> String {
        text(unixMilliseconds: unixSeconds.multipliedReportingOverflow(by: 1000).overflow ? 0 : unixSeconds * 1000)
    }

    /// The text of a Unix time in milliseconds (proleptic Gregorian, UTC).
    public static func text(unixMilliseconds ms: Int64) -> String {
        String(unsafeUninitializedCapacity: length) { write(unixMilliseconds: ms, into: $0) }
    }

    /// Appends the text of a Unix time in seconds to `bytes` (the pipeline's writer stages
    /// every row's time this way, without a `String` per row).
    static func append(unixSeconds: Int64, to bytes: inout [UInt8]) {
        let ms = unixSeconds.multipliedReportingOverflow(by: 1000).overflow ? 0 : unixSeconds * 1000
        // Written on the stack and appended in one copy: appending `length` zeros to write
        // over was a generic `Repeated` append and a `memset` per row.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { text in
            let count = write(unixMilliseconds: ms, into: text)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<count]))
        }
    }

    /// Bytes in the text of a time.
    static let length = 23

    /// Writes the text of a Unix time in milliseconds into `out` (at least ``length`` bytes); returns ``length``.
    private static func write(unixMilliseconds ms: Int64, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let seconds = (ms - Int64(millis)) / 1000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Howard Hinnant's days-to-civil.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        var year = yearOfEra + era * 400
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        if month <= 2 { year += 1 }
        func put(_ value: Int, _ width: Int, at start: Int) {
            var v = value
            for i in stride(from: start + width - 1, through: start, by: -1) {
                out[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
            }
        }
        put(Int(max(0, min(year, 9999))), 4, at: 0); out[4] = 0x2D; put(month, 2, at: 5); out[7] = 0x2D; put(day, 2, at: 8)
        out[10] = 0x20
        put(secondOfDay / 3600, 2, at: 11); out[13] = 0x3A; put(secondOfDay / 60 % 60, 2, at: 14); out[16] = 0x3A
        put(secondOfDay % 60, 2, at: 17)
        out[19] = 0x2E; put(millis, 3, at: 20)
        return length
    }
}
