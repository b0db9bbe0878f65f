import Foundation
import Lakehouse

/// Writes `silver_twisted_domain_brand(fuzzer, domain, dnstwisted_domain)`: the lookalike
/// domains of each monitored brand, generated with dnstwist's fuzzers, plus those of a
/// dnstwist CSV when one is given (as the accelerator ships one).
public struct TwistedDomainTable {
    public struct Summary: Sendable, Equatable {
        /// Rows per brand.
        public var perBrand: [String: Int]
        /// Rows per fuzzer, over all brands.
        public var perFuzzer: [String: Int]
        public var rows: Int
    }

    public let database: Database
    public let generator: TyposquatGenerator

    public init(database: Database, generator: TyposquatGenerator = TyposquatGenerator()) {
        self.database = database
        self.generator = generator
    }

    /// Replaces the table's rows, in one transaction. `extra` rows (from a dnstwist CSV) are
    /// attributed to `extraBrand` and kept when the generator did not make the same domain.
    public func replace(brands: [String], extra: [Typosquat] = [], extraBrand: String? = nil) throws -> Summary {
        var summary = Summary(perBrand: [:], perFuzzer: [:], rows: 0)
        var rows: [(fuzzer: String, brand: String, domain: String)] = []
        for brand in brands {
            var seen: Set<String> = []
            for squat in try generator.permutations(of: brand) where seen.insert(squat.domain).inserted {
                rows.append((squat.fuzzer, brand, squat.domain))
            }
            if brand == extraBrand {
                for squat in extra where seen.insert(squat.domain).inserted { rows.append((squat.fuzzer, brand, squat.domain)) }
            }
        }
        try database.transaction(.immediate) {
            try database.execute("DELETE FROM silver_twisted_domain_brand")
            let insert = try database.prepare("INSERT INTO silver_twisted_domain_brand(fuzzer, domain, dnstwisted_domain) VALUES (?, ?, ?)")
            for row in rows {
                try insert.bind([row.fuzzer, row.brand, row.domain])
                try insert.run()
                summary.perBrand[row.brand, default: 0] += 1
                summary.perFuzzer[row.fuzzer, default: 0] += 1
            }
        }
        summary.rows = rows.count
        return summary
    }
}
