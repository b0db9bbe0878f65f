/// Punycode (RFC 3492): the Bootstring encoding that IDNA uses to spell a Unicode label in
/// ASCII (the part of an A-label after `xn--`).
///
/// Written from the RFC's description (sections 5, 6.1–6.3) rather than ported, because no
/// IDNA package is available to the project. Arithmetic is overflow-checked (section 6.4):
/// anything that would overflow, or that decodes past U+10FFFF or to a surrogate, is
/// malformed and yields `nil` instead of trapping.
public enum Punycode {
    // The Bootstring parameters RFC 3492 section 5 fixes for Punycode.
    static let base = 36
    static let tMin = 1
    static let tMax = 26
    static let skew = 38
    static let damp = 700
    static let initialBias = 72
    static let initialN = 0x80
    static let delimiter = UInt8(ascii: "-")

    /// Decodes Punycode text (without the `xn--` prefix) into a Unicode string.
    ///
    /// Returns `nil` for malformed input: a non-ASCII character, a character that is not a
    /// base-36 digit after the last `-`, a truncated number, an overflow, or a code point
    /// that is not a Unicode scalar.
    public static func decode(_ text: String) -> String? {
        let utf8 = Array(text.utf8)
        var scalars: [UInt32] = []
        let decoded = utf8.withUnsafeBufferPointer { decode($0, into: &scalars) }
        guard decoded else { return nil }
        var result = String.UnicodeScalarView()
        for value in scalars {
            // decode(_:into:) only emits valid scalars; the guard keeps this path free of traps.
            guard let scalar = Unicode.Scalar(value) else { return nil }
            result.append(scalar)
        }
        return String(result)
    }

    /// Encodes a Unicode string as Punycode (without the `xn--` prefix).
    ///
    /// Case is kept as given: IDNA lowercases before encoding, which is the caller's job.
    /// Returns `nil` only if the string is too long for the arithmetic to stay in range.
    public static func encode(_ text: String) -> String? {
        let input = text.unicodeScalars.map { Int($0.value) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count + 8)
        for value in input where value < initialN { output.append(UInt8(value)) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(delimiter) }

        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            // The smallest code point not yet handled: every one below it is already placed.
            var next = Int.max
            for value in input where value >= n && value < next { next = value }
            let (step, stepOverflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            guard !stepOverflow else { return nil }
            let (advanced, advanceOverflow) = delta.addingReportingOverflow(step)
            guard !advanceOverflow else { return nil }
            delta = advanced
            n = next
            for value in input {
                if value < n {
                    guard delta < Int.max else { return nil }
                    delta += 1
                }
                guard value == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = threshold(k: k, bias: bias)
                    if q < t { break }
                    output.append(digitCharacter(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digitCharacter(q))
                bias = adapt(delta: delta, count: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes Punycode bytes into code points (valid Unicode scalars), put in `output`
    /// (cleared first); false if malformed.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt32]) -> Bool {
        output.removeAll(keepingCapacity: true)
        // Basic code points are everything before the last delimiter; the rest are deltas.
        var lastDelimiter = -1
        for index in input.indices where input[index] == delimiter { lastDelimiter = index }
        if lastDelimiter > 0 {
            for index in 0..<lastDelimiter {
                let byte = input[index]
                guard byte < 0x80 else { return false }
                output.append(UInt32(byte))
            }
        }
        var position = lastDelimiter + 1
        var n = initialN
        var i = 0
        var bias = initialBias
        while position < input.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < input.count, let digit = digitValue(input[position]) else { return false }
                position += 1
                let (scaled, scaleOverflow) = digit.multipliedReportingOverflow(by: w)
                guard !scaleOverflow else { return false }
                let (sum, sumOverflow) = i.addingReportingOverflow(scaled)
                guard !sumOverflow else { return false }
                i = sum
                let t = threshold(k: k, bias: bias)
                if digit < t { break }
                let (widened, widenOverflow) = w.multipliedReportingOverflow(by: base - t)
                guard !widenOverflow else { return false }
                w = widened
                k += base
            }
            let length = output.count + 1
            bias = adapt(delta: i - oldI, count: length, first: oldI == 0)
            let (codePoint, codePointOverflow) = n.addingReportingOverflow(i / length)
            guard !codePointOverflow, codePoint <= 0x10FFFF, !(0xD800...0xDFFF).contains(codePoint) else { return false }
            n = codePoint
            i %= length
            output.insert(UInt32(n), at: i)
            i += 1
        }
        return true
    }

    /// The bias adaptation function of RFC 3492 section 6.1.
    static func adapt(delta: Int, count: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// The threshold t for digit position k, clamped to [tmin, tmax].
    @inline(__always)
    static func threshold(k: Int, bias: Int) -> Int {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    /// The value of a base-36 digit: a–z (either case) are 0–25, 0–9 are 26–35.
    @inline(__always)
    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0")) + 26
        default: return nil
        }
    }

    /// The lowercase character for a base-36 digit (IDNA A-labels are lowercase).
    @inline(__always)
    static func digitCharacter(_ digit: Int) -> UInt8 {
        digit < 26 ? UInt8(ascii: "a") + UInt8(digit) : UInt8(ascii: "0") + UInt8(digit - 26)
    }
}
