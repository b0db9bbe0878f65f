import Foundation

/// A linear or logarithmic map from data values to pixels, with "nice" tick values.
struct ChartScale {
    var lower: Double
    var upper: Double
    var logarithmic: Bool
    var pixelLow: Double
    var pixelHigh: Double

    /// A scale covering `values` (padded when they are all equal).
    init(values: [Double], logarithmic: Bool = false, pixels: (Double, Double), includeZero: Bool = false, padFraction: Double = 0) {
        let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        if includeZero && !logarithmic { low = min(low, 0); high = max(high, 0) }
        if low == high {
            if logarithmic { low /= 2; high *= 2 } else {
                let pad = low == 0 ? 1 : abs(low) * 0.05
                low -= pad
                high += pad
            }
        } else if padFraction > 0 && !logarithmic {
            let pad = (high - low) * padFraction
            if !(includeZero && low == 0) { low -= pad }
            high += pad
        }
        self.init(lower: low, upper: high, logarithmic: logarithmic, pixels: pixels)
    }

    init(lower: Double, upper: Double, logarithmic: Bool = false, pixels: (Double, Double)) {
        self.lower = lower
        self.upper = upper
        self.logarithmic = logarithmic
        pixelLow = pixels.0
        pixelHigh = pixels.1
    }

    /// Whether values spanning `values` read better on a log axis (all positive, wide range).
    static func prefersLog(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low >= 50
    }

    /// The pixel of `value` (clamped into the range).
    func pixel(_ value: Double) -> Double {
        let fraction: Double
        if logarithmic {
            let v = max(value, lower)
            fraction = (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            fraction = (value - lower) / (upper - lower)
        }
        let clamped = fraction.isFinite ? min(1, max(0, fraction)) : 0
        return pixelLow + clamped * (pixelHigh - pixelLow)
    }

    /// About `count` round tick values inside the range.
    func ticks(_ count: Int = 5) -> [Double] {
        if logarithmic {
            let first = Int(floor(log10(lower))), last = Int(ceil(log10(upper)))
            var decades = (first...max(first, last)).map { pow(10, Double($0)) }.filter { $0 >= lower * 0.999 && $0 <= upper * 1.001 }
            if decades.count > count {
                let stride = Int(ceil(Double(decades.count) / Double(count)))
                decades = decades.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
            }
            if decades.count < 2 { return [lower, upper] }
            return decades
        }
        let step = Self.niceStep((upper - lower) / Double(max(1, count)))
        guard step > 0, step.isFinite else { return [lower] }
        var value = ceil(lower / step - 1e-9) * step
        var out: [Double] = []
        while value <= upper + step * 1e-9 {
            out.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return out
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * power
    }

    /// Tick text: as few digits as tell the ticks apart.
    func label(_ value: Double) -> String {
        ReportNumber.tick(value, step: logarithmic ? value : Self.niceStep((upper - lower) / 5))
    }
}

/// Number formatting shared by pages, tables and tests: the page must show what the store holds.
public enum ReportNumber {
    /// A metric or parameter value: 4 decimals below 1000 in magnitude, integers as integers.
    public static func metric(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        if value == value.rounded() && abs(value) < 1e12 { return String(Int64(value)) }
        if abs(value) >= 1000 { return String(format: "%.1f", value) }
        if abs(value) < 0.001 { return String(format: "%.3g", value) }
        return String(format: "%.4f", value)
    }

    /// Seconds as `0.42 s`, `12.3 s`, `4 min 05 s`.
    public static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        if value < 10 { return String(format: "%.2f s", value) }
        if value < 60 { return String(format: "%.1f s", value) }
        let total = Int(value.rounded())
        if total < 3600 { return String(format: "%d min %02d s", total / 60, total % 60) }
        return String(format: "%d h %02d min", total / 3600, (total % 3600) / 60)
    }

    /// An integer count with thousands separators (`12,345`).
    public static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A tick label with enough decimals for `step`.
    static func tick(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.0e", value) }
        let decimals = max(0, min(6, Int(-floor(log10(abs(step)) + 1e-9))))
        return String(format: "%.\(decimals)f", value)
    }

    /// `yyyy-MM-dd HH:mm:ss UTC`: pages are mailed between time zones, so they show UTC.
    public static func utc(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
