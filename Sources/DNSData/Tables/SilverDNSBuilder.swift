import Foundation
import Lakehouse

/// Builds `silver_dns` from `bronze_dns`: each record with its first address answer, the
/// address's location, and the name split at its public suffix.
public struct SilverDNSBuilder {
    /// What a rebuild wrote.
    public struct Summary: Sendable, Equatable {
        public var rows: Int
        /// Rows with an A or AAAA answer.
        public var withAddress: Int
        /// Of those, rows the GeoIP database placed (country or city).
        public var located: Int
        /// Rows whose name has no known public suffix (IPs, bare labels, junk).
        public var withoutSuffix: Int
        public var seconds: Double
    }

    public let database: Database
    public let suffixes: PublicSuffixList
    public let geoIP: GeoIPDatabase?

    public init(database: Database, suffixes: PublicSuffixList, geoIP: GeoIPDatabase?) {
        self.database = database
        self.suffixes = suffixes
        self.geoIP = geoIP
    }

    /// Replaces `silver_dns` with the enrichment of every `bronze_dns` row, in one transaction.
    public func rebuild() throws -> Summary {
        let started = Date()
        var summary = Summary(rows: 0, withAddress: 0, located: 0, withoutSuffix: 0, seconds: 0)
        var locations: [String: GeoLocation?] = [:]
        try database.transaction(.immediate) {
            try database.execute("DELETE FROM silver_dns")
            let select = try database.prepare("""
                SELECT rrname, rrtype, rdata, rdatastr, time_first, time_last, count, bailiwick, load_id
                FROM bronze_dns ORDER BY rowid
                """)
            let insert = try database.prepare("""
                INSERT INTO silver_dns(rrname, rrtype, rdatastr, time_first, time_last, count, bailiwick, ip_address,
                    city, country, country_code, domain_name, subdomain, domain, suffix, registered_domain, load_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            while try select.step() {
                if summary.rows % 10_000 == 0 { try Task.checkCancellation() }
                let rrname = select.string(at: 0) ?? ""
                let rrtype = (select.string(at: 1) ?? "").uppercased()
                let address = (rrtype == "A" || rrtype == "AAAA") ? Self.firstAnswer(select.string(at: 2) ?? "[]") : nil
                var location: GeoLocation?
                if let address, let geoIP {
                    if let cached = locations[address] {
                        location = cached
                    } else {
                        location = geoIP.lookup(address)
                        locations[address] = location
                    }
                }
                let name = Self.domainName(rrname)
                let parts = suffixes.extract(name)
                try insert.bind([
                    rrname, rrtype, select.value(at: 3), select.value(at: 4), select.value(at: 5), select.value(at: 6),
                    select.value(at: 7), address, location?.city, location?.country, location?.countryCode,
                    name, parts.subdomain.lowercased(), parts.domain.lowercased(), parts.suffix.lowercased(),
                    parts.registeredDomain.lowercased(), select.value(at: 8),
                ])
                try insert.run()
                summary.rows += 1
                if address != nil { summary.withAddress += 1 }
                if location != nil { summary.located += 1 }
                if parts.suffix.isEmpty { summary.withoutSuffix += 1 }
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// A logged name as the tables key it: lower case, without the root dot.
    public static func domainName(_ rrname: String) -> String {
        var name = rrname.trimmingCharacters(in: .whitespaces).lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The first string of a JSON array of answers (`["192.0.2.1", …]`), without a JSON parser
    /// for the common case of a plain address.
    static func firstAnswer(_ json: String) -> String? {
        guard let data = json.data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [Any],
              let first = array.first as? String else { return nil }
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
