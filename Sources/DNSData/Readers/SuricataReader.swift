/// Reads Suricata's EVE JSON log: the `dns` events, in logging versions 1 to 3.
///
/// Events of other types (`flow`, `alert`, `stats`, …) are skipped: an `eve.json` holds
/// them all, and they are not DNS records. Every `dns` event becomes one record:
/// - `rrname`, `rrtype`: the question. Version 3 (Suricata 8) logs it as
///   `dns.queries[0]`; versions 1 and 2 as `dns.rrname` and `dns.rrtype`. A request with
///   several questions gives the first. An event without a question takes the first
///   answer's name and type.
/// - `rdata`: the answers' `rdata` in order, from `dns.answers` (version 2 "detailed"
///   and version 3), else from `dns.grouped` (version 2 "grouped", type by type), else the
///   single `dns.rdata` of a version 1 (or 2 per-answer) answer event. SOA, SRV and SSHFP
///   answers, logged as objects, are written in zone-file order ("mname rname serial
///   refresh retry expire minimum"). A request, or a response without answers
///   (NXDOMAIN), gives `[]`: the query itself is the observation.
/// - `time_first`, `time_last`: the event's `timestamp` (ISO 8601 with its offset), in
///   Unix seconds rounded down.
/// - `count` 1; `bailiwick` NULL (Suricata does not log it).
///
/// A `dns` event without a `dns` object, a question or a valid timestamp is quarantined.
struct SuricataReader: DNSLineParser {
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) -> LineOutcome {
        let event: JSONLineValue
        do {
            event = try JSONLineParser.parse(line)
        } catch {
            return .rejected(error.reason)
        }
        guard event.members != nil else { return .rejected("not a JSON object but \(event.typeName)") }
        if let type = event["event_type"] {
            guard let name = type.string else { return .rejected("event_type must be a string, found \(type.typeName)") }
            if name != "dns" { return .skipped }
        }
        guard let dns = event["dns"], dns.members != nil else {
            return .rejected(event["event_type"] == nil ? "not a Suricata EVE event (no event_type and no dns object)" : "a dns event without a dns object")
        }
        guard let timestamp = event["timestamp"]?.string else { return .rejected("missing timestamp") }
        guard let seconds = ISOTimestamp.unixSeconds(timestamp) else {
            return .rejected("timestamp '\(timestamp)' is not an ISO 8601 time")
        }

        var rrname: String?
        var rrtype: String?
        if let queries = dns["queries"]?.array, let first = queries.first {
            rrname = first["rrname"]?.string
            rrtype = first["rrtype"]?.string
        } else {
            rrname = dns["rrname"]?.string
            rrtype = dns["rrtype"]?.string
        }

        var answers: [String] = []
        if let list = dns["answers"]?.array {
            for answer in list {
                if let text = Self.rdata(of: answer) { answers.append(text) }
            }
            if rrname == nil, let first = list.first {
                rrname = first["rrname"]?.string
                rrtype = first["rrtype"]?.string
            }
        } else if let grouped = dns["grouped"]?.members {
            for (type, values) in grouped {
                for value in values.array ?? [] {
                    if let text = value.string ?? Self.structured(type: type, value) { answers.append(text) }
                }
            }
        } else if let single = dns["rdata"]?.string {
            answers.append(single)
        }

        guard let rrname, !rrname.isEmpty else { return .rejected("no query name (neither dns.queries nor dns.rrname)") }
        guard let rrtype, !rrtype.isEmpty else { return .rejected("no query type (neither dns.queries[0].rrtype nor dns.rrtype)") }
        if rrname.utf8.contains(0) || rrtype.utf8.contains(0) || answers.contains(where: { $0.utf8.contains(0) }) {
            return .rejected("a NUL character (\\u0000) in the query name, type or answers")
        }
        arena.writeObservation(rrname: rrname, rrtype: rrtype, answers: answers, at: seconds)
        return .record
    }

    /// One answer's data: its `rdata` text, or a structured record in zone-file order.
    private static func rdata(of answer: JSONLineValue) -> String? {
        if let text = answer["rdata"]?.string { return text }
        for type in ["soa", "srv", "sshfp"] {
            if let value = answer[type] { return structured(type: type, value) }
        }
        return nil
    }

    /// SOA, SRV and SSHFP objects written as a zone file would.
    private static func structured(type: String, _ value: JSONLineValue) -> String? {
        guard value.members != nil else { return nil }
        let order: [String]
        switch type.lowercased() {
        case "soa": order = ["mname", "rname", "serial", "refresh", "retry", "expire", "minimum"]
        case "srv": order = ["priority", "weight", "port", "name"]
        case "sshfp": order = ["algo", "type", "fingerprint"]
        default: return nil
        }
        let parts = order.compactMap { key -> String? in
            switch value[key] {
            case .string(let text)?: return text
            case .number(let text)?: return text
            default: return nil
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
