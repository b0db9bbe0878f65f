/// dnstwist's `various` fuzzer: lookalikes made by moving dots and hyphens around the TLD and
/// the subdomain (`googlecom.com`, `google-de.com`, `wwwgoogle.com`).
enum VariousFuzzer {
    static func candidates(for brand: BrandDomain) -> [[Unicode.Scalar]] {
        let subdomain = Array(brand.subdomain.unicodeScalars)
        let label = brand.label
        let tld = Array(brand.tld.unicodeScalars)
        let lastTLDLabel = Array((brand.tld.split(separator: ".").last.map(String.init) ?? "").unicodeScalars)
        let com = Array("com".unicodeScalars)
        var result: [[Unicode.Scalar]] = []
        if brand.tld.contains(".") {
            // A two-label TLD cut to its last label (example.co.uk → example.uk) or run into the label.
            result.append(joined([subdomain, label, lastTLDLabel]))
            result.append(joined([subdomain, label + tld]))
        } else {
            result.append(joined([subdomain, label + tld, tld]))
            if brand.tld != "com" {
                result.append(joined([subdomain, label + ["-"] + tld, com]))
                result.append(joined([subdomain, label + tld, com]))
            }
        }
        if !subdomain.isEmpty {
            // Unlike the rest, these joins keep empty parts, as dnstwist's do.
            let withoutDots = subdomain.filter { $0 != "." }
            let dotsAsHyphens = subdomain.map { $0 == "." ? "-" : $0 }
            for head in [subdomain + label, withoutDots + label, subdomain + ["-"] + label, dotsAsHyphens + ["-"] + label] {
                result.append(head + ["."] + tld)
            }
        }
        return result
    }

    /// Parts joined with dots, empty ones skipped.
    private static func joined(_ parts: [[Unicode.Scalar]]) -> [Unicode.Scalar] {
        Array(parts.filter { !$0.isEmpty }.joined(separator: ["."]))
    }
}
