import DNSData
import Foundation

/// dnstwist 20250130 itself, run through Python, to compare the Swift generator against.
enum DNSTwistOracle {
    static let requiredVersion = "20250130"
    static let installHint = "pip install dnstwist==\(requiredVersion) idna"

    /// The script calls dnstwist's `Fuzzer` directly with the dictionary and TLD list as given.
    /// It hides the optional `tld` package so that dnstwist splits the TLD with its built-in
    /// rule (the one the Swift generator follows), and insists on the `idna` package, whose
    /// IDNA 2008 checks dnstwist uses when it is installed.
    private static let script = #"""
import json
import sys

sys.modules['tld'] = None
try:
    import idna
    import dnstwist
except ImportError as error:
    print('MISSING ' + str(error))
    sys.exit(0)
if dnstwist.__version__ != sys.argv[1]:
    print('VERSION ' + dnstwist.__version__)
    sys.exit(0)
if dnstwist.idna is not idna:
    print('MISSING dnstwist is not using the idna package')
    sys.exit(0)

request = json.load(sys.stdin)
answer = {}
for brand in request['brands']:
    fuzzer = dnstwist.Fuzzer(brand, dictionary=request['dictionary'], tld_dictionary=list(request['tlds']))
    fuzzer.generate()
    answer[brand] = [[p['fuzzer'], p['domain']] for p in fuzzer.permutations() if p['fuzzer'] != '*original']
print('OK ' + json.dumps(answer))
"""#

    enum Outcome {
        case permutations([String: [Typosquat]])
        /// dnstwist, the right version or `idna` is missing: the reason.
        case unavailable(String)
    }

    static func permutations(brands: [String], dictionary: [String], tlds: [String]) throws -> Outcome {
        let request = try JSONSerialization.data(withJSONObject: ["brands": brands, "dictionary": dictionary, "tlds": tlds])
        let output = String(decoding: try TwistPythonRunner.run(script: script, arguments: [requiredVersion], input: request), as: UTF8.self)
        if output.hasPrefix("MISSING") || output.hasPrefix("VERSION") {
            return .unavailable(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard output.hasPrefix("OK "),
              let decoded = try JSONSerialization.jsonObject(with: Data(output.dropFirst(3).utf8)) as? [String: [[String]]]
        else { return .unavailable("unexpected oracle output: \(output.prefix(300))") }
        return .permutations(decoded.mapValues { rows in
            rows.compactMap { row in row.count == 2 ? Typosquat(fuzzer: row[0], domain: row[1]) : nil }
        })
    }
}
