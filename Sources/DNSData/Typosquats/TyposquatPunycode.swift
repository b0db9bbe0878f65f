/// RFC 3492 Punycode, just what the typosquat generator needs to write lookalike labels as
/// `xn--` A-labels and to read A-labels back. Kept internal and named apart from the module's
/// general punycode so that the two can be merged later without a clash.
enum TyposquatPunycode {
    private static let base: UInt32 = 36
    private static let tMin: UInt32 = 1
    private static let tMax: UInt32 = 26
    private static let skew: UInt32 = 38
    private static let damp: UInt32 = 700
    private static let initialBias: UInt32 = 72
    private static let initialN: UInt32 = 0x80
    private static let delimiter = UInt8(ascii: "-")

    /// The Punycode of `label` (without the `xn--` prefix), or nil if it cannot be encoded
    /// within 32-bit arithmetic (a label far longer than DNS allows).
    static func encode(_ label: [Unicode.Scalar]) -> String? {
        let codePoints = label.map(\.value)
        var output: [UInt8] = codePoints.filter { $0 < initialN }.map { UInt8($0) }
        let basicCount = UInt32(output.count)
        if basicCount > 0 { output.append(delimiter) }

        var n = initialN
        var delta: UInt32 = 0
        var bias = initialBias
        var handled = basicCount
        while handled < UInt32(codePoints.count) {
            guard let next = codePoints.filter({ $0 >= n }).min() else { return nil }
            let (step, stepOverflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            let (advanced, addOverflow) = delta.addingReportingOverflow(step)
            guard !stepOverflow, !addOverflow else { return nil }
            delta = advanced
            n = next
            for codePoint in codePoints {
                if codePoint < n {
                    let (incremented, overflow) = delta.addingReportingOverflow(1)
                    guard !overflow else { return nil }
                    delta = incremented
                } else if codePoint == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias: bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, points: handled + 1, first: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The code points of a Punycode string (without the `xn--` prefix), or nil if it is not
    /// valid Punycode. Digits are read case-insensitively.
    static func decode(_ text: String) -> [Unicode.Scalar]? {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var output: [UInt32] = []
        var position = 0
        if let last = bytes.lastIndex(of: delimiter) {
            output = bytes[..<last].map(UInt32.init)
            position = last + 1
        }
        var n = initialN
        var i: UInt32 = 0
        var bias = initialBias
        while position < bytes.count {
            let previous = i
            var weight: UInt32 = 1
            var k = base
            while true {
                guard position < bytes.count, let value = digitValue(bytes[position]) else { return nil }
                position += 1
                let (scaled, scaleOverflow) = value.multipliedReportingOverflow(by: weight)
                let (sum, sumOverflow) = i.addingReportingOverflow(scaled)
                guard !scaleOverflow, !sumOverflow else { return nil }
                i = sum
                let t = threshold(k, bias: bias)
                if value < t { break }
                let (nextWeight, weightOverflow) = weight.multipliedReportingOverflow(by: base - t)
                guard !weightOverflow else { return nil }
                weight = nextWeight
                k += base
            }
            let length = UInt32(output.count + 1)
            bias = adapt(i - previous, points: length, first: previous == 0)
            let (advanced, overflow) = n.addingReportingOverflow(i / length)
            guard !overflow, Unicode.Scalar(advanced) != nil else { return nil }
            n = advanced
            i %= length
            output.insert(n, at: Int(i))
            i += 1
        }
        return output.compactMap(Unicode.Scalar.init)
    }

    private static func threshold(_ k: UInt32, bias: UInt32) -> UInt32 {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    private static func adapt(_ delta: UInt32, points: UInt32, first: Bool) -> UInt32 {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k: UInt32 = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: UInt32) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }

    private static func digitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0")) + 26
        default: return nil
        }
    }
}
