/// Where the parts of one host lie in its bytes.
struct HostSplit {
    var subdomain: Range<Int> = 0..<0
    var domain: Range<Int> = 0..<0
    var suffix: Range<Int> = 0..<0
    var registrySuffix: Range<Int> = 0..<0
    var isPrivate = false
    var isIPAddress = false

    static func ipAddress(_ count: Int) -> HostSplit { HostSplit(domain: 0..<count, isIPAddress: true) }

    /// The parts as cut from `text`, in which the host starts at byte `offset`.
    func parts(of text: String, offset: Int) -> DomainParts {
        DomainParts(text: text, subdomain: .init(subdomain, shiftedBy: offset), domain: .init(domain, shiftedBy: offset),
                    suffix: .init(suffix, shiftedBy: offset), registrySuffix: .init(registrySuffix, shiftedBy: offset),
                    isPrivate: isPrivate, isIPAddress: isIPAddress)
    }
}

extension SuffixTrie {
    /// Splits one host (already cut out of its URL) at its public suffix: tldextract's
    /// `suffix_index` walk and `_extract_netloc` assembly, on bytes.
    ///
    /// The walk follows tldextract rather than the PSL's textual algorithm where they part,
    /// so that results agree with the accelerator's: labels are matched right to left while
    /// the trie has them; on the first miss, a `*` child there takes that label into the
    /// suffix unless a `!label` exception sits beside it; no match at all leaves the suffix
    /// empty (tldextract does not apply the implicit `*` rule; `applyDefaultRule` does).
    func split(_ host: UnsafeBufferPointer<UInt8>, isASCII: Bool, includePrivateDomains: Bool, applyDefaultRule: Bool) -> HostSplit {
        let count = host.count
        if count >= 4 && host[0] == UInt8(ascii: "[") && host[count - 1] == UInt8(ascii: "]")
            && IPLiteral.isIPv6(UnsafeBufferPointer(rebasing: host[1..<(count - 1)])) {
            return .ipAddress(count)
        }

        // With private domains off, nodes only private rules made do not exist.
        let existence = includePrivateDomains ? 0 : Self.existsInICANN
        let ruleEnd = includePrivateDomains ? Self.endsAnyRule : Self.endsICANNRule

        var node = Self.root
        var labelEnd = count
        var matchedStart = count
        var publicStart = -1
        var isPrivate = false
        var registryStart = -1
        while true {
            let labelStart = Self.lastDot(in: host, before: labelEnd) + 1
            let label = labelStart..<labelEnd
            // Only A-labels and non-ASCII labels need a key of their own; the rest are
            // matched in place.
            var key: [UInt8]?
            if !isASCII || IDNA.hasACEPrefix(UnsafeBufferPointer(rebasing: host[label])) {
                key = IDNA.matchingKey(forLabel: UnsafeBufferPointer(rebasing: host[label]))
            }
            let child = key == nil ? self.child(of: node, in: host, label) : lookup(node, key)
            if child >= 0 && flags[Int(child)] & existence == existence {
                node = child
                matchedStart = labelStart
                let nodeFlags = flags[Int(child)]
                if nodeFlags & ruleEnd != 0 {
                    publicStart = labelStart
                    isPrivate = includePrivateDomains && nodeFlags & Self.isPrivateRule != 0
                    if !isPrivate { registryStart = labelStart }
                }
                if labelStart == 0 { break }
                labelEnd = labelStart - 1
                continue
            }
            let wildcard = wildcardChild[Int(node)]
            if wildcard >= 0 && flags[Int(wildcard)] & existence == existence {
                let exceptions = Self.exceptionParent(node)
                let exception = key == nil ? self.child(of: exceptions, in: host, label) : lookup(exceptions, key)
                let isException = exception >= 0 && flags[Int(exception)] & existence == existence
                publicStart = isException ? matchedStart : labelStart
                isPrivate = includePrivateDomains && flags[Int(wildcard)] & Self.isPrivateRule != 0
            }
            break
        }

        if publicStart < 0 {
            if IPLiteral.isIPv4(host) { return .ipAddress(count) }
            let lastDot = Self.lastDot(in: host, before: count) + 1
            guard applyDefaultRule && count > 0 else {
                // No suffix: the last label is the domain, the rest the subdomain.
                return HostSplit(subdomain: 0..<max(lastDot - 1, 0), domain: lastDot..<count)
            }
            publicStart = lastDot
            registryStart = lastDot
        }

        var split = HostSplit(suffix: publicStart..<count, isPrivate: isPrivate)
        split.registrySuffix = !isPrivate ? split.suffix : registryStart >= 0 ? registryStart..<count : 0..<0
        if publicStart > 0 {
            // publicStart is the end of the host only after an exception at the top level.
            let domainEnd = publicStart == count ? count : publicStart - 1
            let domainStart = Self.lastDot(in: host, before: domainEnd) + 1
            split.domain = domainStart..<domainEnd
            split.subdomain = 0..<max(domainStart - 1, 0)
        }
        return split
    }

    /// The index of the last `.` in `host[..<end]`, or -1: eight bytes at a time, since a
    /// byte loop pays a mispredicted branch at every label's end.
    @inline(__always)
    static func lastDot(in host: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        guard let base = host.baseAddress else { return -1 }
        let raw = UnsafeRawPointer(base)
        var end = end
        while end >= 8 {
            let dots = dotBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)))
            if dots != 0 { return end - 8 + (63 - dots.leadingZeroBitCount) / 8 }
            end -= 8
        }
        guard end > 0 else { return -1 }
        if host.count >= 8 {
            let word = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let dots = dotBytes(word) & ((1 << UInt64(8 * end)) - 1)
            return dots != 0 ? (63 - dots.leadingZeroBitCount) / 8 : -1
        }
        var index = end - 1
        while index >= 0 && host[index] != UInt8(ascii: ".") { index -= 1 }
        return index
    }

    /// Bit 7 of each byte of the result is set exactly where `word` has a `.` (the exact
    /// form of the zero-byte trick, with no false positives).
    @inline(__always)
    static func dotBytes(_ word: UInt64) -> UInt64 {
        let x = word ^ 0x2E2E_2E2E_2E2E_2E2E
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low) &+ low) | x) & 0x8080_8080_8080_8080
    }

    /// The child labelled with a matching key of its own (an A-label decoded, a Unicode
    /// label lower-cased).
    private func lookup(_ node: Int32, _ key: [UInt8]?) -> Int32 {
        guard let key else { return -1 }
        return key.withUnsafeBufferPointer { child(of: node, in: $0, 0..<$0.count) }
    }
}
