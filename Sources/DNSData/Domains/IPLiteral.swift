/// IP address literals in a host, recognised by the same grammar tldextract uses, so that an
/// address gets the same split here as in the accelerator (the whole address is the domain).
enum IPLiteral {
    /// tldextract's `looks_like_ip`: four dot-separated decimal octets 0–255, no leading zeros.
    static func isIPv4(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var octets = 0
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
            guard isOctet(bytes, start..<index) else { return false }
            octets += 1
            start = index + 1
        }
        return octets == 4
    }

    /// Python's `ipaddress.IPv6Address` grammar (tldextract's `looks_like_ipv6`): eight hextets
    /// of 1–4 hex digits, at most one `::`, an optional dotted IPv4 tail, an optional `%scope`.
    static func isIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, !bytes.contains(UInt8(ascii: "/")) else { return false }
        var end = bytes.count
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            // A scope id must be non-empty and hold no second `%`.
            let scope = bytes[(percent + 1)...]
            guard !scope.isEmpty, !scope.contains(UInt8(ascii: "%")) else { return false }
            end = percent
        }
        guard end > 0 else { return false }

        // Colon-separated parts as ranges; nil stands for a hextet already known good (the
        // two that a dotted IPv4 tail becomes).
        var parts: [Range<Int>?] = []
        var start = 0
        for index in 0...end where index == end || bytes[index] == UInt8(ascii: ":") {
            parts.append(start..<index)
            start = index + 1
            if parts.count > 9 { return false }
        }
        guard parts.count >= 3 else { return false }
        if let tail = parts[parts.count - 1], bytes[tail].contains(UInt8(ascii: ".")) {
            guard isIPv4(UnsafeBufferPointer(rebasing: bytes[tail])) else { return false }
            parts.removeLast()
            parts.append(contentsOf: [nil, nil])
        }
        guard parts.count <= 9 else { return false }

        func isEmpty(_ part: Range<Int>?) -> Bool { part?.isEmpty ?? false }
        var skip: Int?
        for index in 1..<(parts.count - 1) where isEmpty(parts[index]) {
            guard skip == nil else { return false }
            skip = index
        }
        // Hextets before and after the `::`; a leading or trailing `:` must belong to it.
        var high = parts.count
        var low = 0
        if let skip {
            high = skip
            low = parts.count - skip - 1
            if isEmpty(parts[0]) {
                high -= 1
                guard high == 0 else { return false }
            }
            if isEmpty(parts[parts.count - 1]) {
                low -= 1
                guard low == 0 else { return false }
            }
            guard 8 - (high + low) >= 1 else { return false }
        } else {
            guard parts.count == 8, !isEmpty(parts[0]), !isEmpty(parts[7]) else { return false }
        }
        for part in parts[0..<high] + parts[(parts.count - low)...] {
            if let part, !isHextet(bytes, part) { return false }
        }
        return true
    }

    /// A decimal octet as both `IP_RE` and `IPv4Address` accept it.
    private static func isOctet(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 3 else { return false }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        if range.count > 1 && bytes[range.lowerBound] == UInt8(ascii: "0") { return false }
        return value <= 255
    }

    /// One to four hex digits.
    private static func isHextet(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 4 else { return false }
        for index in range {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): continue
            default: return false
            }
        }
        return true
    }
}
