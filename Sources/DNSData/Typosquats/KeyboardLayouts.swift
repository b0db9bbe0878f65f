/// Keys adjacent to each key on the keyboards dnstwist models (QWERTY, QWERTZ, AZERTY):
/// a slip of the finger is the typo the replacement and insertion fuzzers imitate.
enum KeyboardLayouts {
    /// Each layout maps a key to its neighbours; the fuzzers try every layout in this order.
    static let all: [[Unicode.Scalar: [Unicode.Scalar]]] = [qwerty, qwertz, azerty].map(scalarTable)

    private static func scalarTable(_ table: [String: String]) -> [Unicode.Scalar: [Unicode.Scalar]] {
        var result: [Unicode.Scalar: [Unicode.Scalar]] = [:]
        for (key, neighbours) in table {
            guard let scalar = key.unicodeScalars.first else { continue }
            result[scalar] = Array(neighbours.unicodeScalars)
        }
        return result
    }

    private static let qwerty: [String: String] = [
        "1": "2q", "2": "3wq1", "3": "4ew2", "4": "5re3", "5": "6tr4", "6": "7yt5", "7": "8uy6", "8": "9iu7", "9": "0oi8", "0": "po9",
        "q": "12wa", "w": "3esaq2", "e": "4rdsw3", "r": "5tfde4", "t": "6ygfr5", "y": "7uhgt6", "u": "8ijhy7", "i": "9okju8", "o": "0plki9", "p": "lo0",
        "a": "qwsz", "s": "edxzaw", "d": "rfcxse", "f": "tgvcdr", "g": "yhbvft", "h": "ujnbgy", "j": "ikmnhu", "k": "olmji", "l": "kop",
        "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
    ]

    private static let qwertz: [String: String] = [
        "1": "2q", "2": "3wq1", "3": "4ew2", "4": "5re3", "5": "6tr4", "6": "7zt5", "7": "8uz6", "8": "9iu7", "9": "0oi8", "0": "po9",
        "q": "12wa", "w": "3esaq2", "e": "4rdsw3", "r": "5tfde4", "t": "6zgfr5", "z": "7uhgt6", "u": "8ijhz7", "i": "9okju8", "o": "0plki9", "p": "lo0",
        "a": "qwsy", "s": "edxyaw", "d": "rfcxse", "f": "tgvcdr", "g": "zhbvft", "h": "ujnbgz", "j": "ikmnhu", "k": "olmji", "l": "kop",
        "y": "asx", "x": "ysdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
    ]

    private static let azerty: [String: String] = [
        "1": "2a", "2": "3za1", "3": "4ez2", "4": "5re3", "5": "6tr4", "6": "7yt5", "7": "8uy6", "8": "9iu7", "9": "0oi8", "0": "po9",
        "a": "2zq1", "z": "3esqa2", "e": "4rdsz3", "r": "5tfde4", "t": "6ygfr5", "y": "7uhgt6", "u": "8ijhy7", "i": "9okju8", "o": "0plki9", "p": "lo0m",
        "q": "zswa", "s": "edxwqz", "d": "rfcxse", "f": "tgvcdr", "g": "yhbvft", "h": "ujnbgy", "j": "iknhu", "k": "olji", "l": "kopm", "m": "lp",
        "w": "sxq", "x": "wsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhj",
    ]
}
