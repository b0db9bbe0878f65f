/// Characters that pass for others at a glance, as dnstwist's homoglyph fuzzer uses them.
/// Registries only accept the accented letters of their own languages in IDNs, so a TLD with an
/// IDN policy gets its own set of Unicode lookalikes (an empty one where the registry takes none);
/// every other TLD gets the general set. The ASCII lookalikes (`rn` for `m`, `0` for `o`) hold
/// everywhere. Glyph lists are space-separated; keys are one or two ASCII characters.
enum HomoglyphTables {
    typealias Table = [[Unicode.Scalar]: [[Unicode.Scalar]]]

    /// The lookalikes for a brand under `tld` (`com`, `co.uk`, …): the ASCII set merged with the
    /// TLD's Unicode set.
    static func glyphs(forTLD tld: String) -> Table {
        let unicode = tldTables[tld] ?? general
        return asciiTable.merging(unicode) { ascii, idn in
            ascii + idn.filter { !ascii.contains($0) }
        }
    }

    private static let asciiTable = parse(ascii)
    private static let general = parse(unicodeGeneral)
    private static let tldTables: [String: Table] = {
        var result: [String: Table] = [:]
        for (tlds, glyphs) in byRegistry {
            let table = parse(glyphs)
            for tld in tlds { result[tld] = table }
        }
        return result
    }()

    private static func parse(_ text: [String: String]) -> Table {
        var table: Table = [:]
        for (key, glyphs) in text {
            table[Array(key.unicodeScalars)] = glyphs.split(separator: " ").map { Array($0.unicodeScalars) }
        }
        return table
    }

    private static let ascii: [String: String] = [
        "0": "o",
        "1": "l i",
        "3": "8",
        "6": "9",
        "8": "3",
        "9": "6",
        "b": "d lb",
        "c": "e",
        "d": "b cl dl",
        "e": "c",
        "g": "q",
        "h": "lh",
        "i": "1 l",
        "k": "lc",
        "l": "1 i",
        "m": "n nn rn",
        "n": "m r",
        "o": "0",
        "q": "g",
        "u": "v",
        "v": "u",
        "w": "vv",
        "rn": "m",
        "cl": "d",
    ]

    private static let unicodeGeneral: [String: String] = [
        "2": "ƻ",
        "3": "ʒ",
        "5": "ƽ",
        "a": "ạ ă ȧ ɑ å ą â ǎ á ə ä ã ā à",
        "b": "ḃ ḅ ƅ ʙ ḇ ɓ",
        "c": "č ᴄ ċ ç ć ĉ ƈ",
        "d": "ď ḍ ḋ ɖ ḏ ɗ ḓ ḑ đ",
        "e": "ê ẹ ę è ḛ ě ɇ ė ĕ é ë ē ȩ",
        "f": "ḟ ƒ",
        "g": "ǧ ġ ǵ ğ ɡ ǥ ĝ ģ ɢ",
        "h": "ȟ ḫ ḩ ḣ ɦ ḥ ḧ ħ ẖ ⱨ ĥ",
        "i": "ɩ ǐ í ɪ ỉ ȋ ɨ ï ī ĩ ị î ı ĭ į ì",
        "j": "ǰ ĵ ʝ ɉ",
        "k": "ĸ ǩ ⱪ ḵ ķ ᴋ ḳ",
        "l": "ĺ ł ɫ ļ ľ",
        "m": "ᴍ ṁ ḿ ṃ ɱ",
        "n": "ņ ǹ ń ň ṅ ṉ ṇ ꞑ ñ ŋ",
        "o": "ö ó ȯ ỏ ô ᴏ ō ò ŏ ơ ő õ ọ ø",
        "p": "ṗ ƿ ƥ ṕ",
        "q": "ʠ",
        "r": "ʀ ȓ ɍ ɾ ř ṛ ɽ ȑ ṙ ŗ ŕ ɼ ṟ",
        "s": "ṡ ș ŝ ꜱ ʂ š ś ṣ ş",
        "t": "ť ƫ ţ ṭ ṫ ț ŧ",
        "u": "ᴜ ų ŭ ū ű ǔ ȕ ư ù ů ʉ ú ȗ ü û ũ ụ",
        "v": "ᶌ ṿ ᴠ ⱴ ⱱ ṽ",
        "w": "ᴡ ẇ ẅ ẃ ẘ ẉ ⱳ ŵ ẁ",
        "x": "ẋ ẍ",
        "y": "ŷ ÿ ʏ ẏ ɏ ƴ ȳ ý ỿ ỵ",
        "z": "ž ƶ ẓ ẕ ⱬ ᴢ ż ź ʐ",
        "ae": "æ",
        "oe": "œ",
    ]

    /// TLDs whose registries restrict IDN characters, with the lookalikes each accepts.
    private static let byRegistry: [([String], [String: String])] = [
        (["ad", "cz", "sk", "uk", "co.uk", "nl", "edu", "us"], [:]),
        (["jp", "co.jp", "ad.jp", "ne.jp"], [:]),
        (["cn", "com.cn", "tw", "com.tw", "net.tw"], [:]),
        (["info"], [
            "a": "á ä å ą",
            "c": "ć č",
            "e": "é ė ę",
            "i": "í į",
            "l": "ł",
            "n": "ñ ń",
            "o": "ó ö ø ő",
            "s": "ś š",
            "u": "ú ü ū ű ų",
            "z": "ź ż ž",
            "ae": "æ",
        ]),
        (["br", "com.br"], [
            "a": "à á â ã",
            "c": "ç",
            "e": "é ê",
            "i": "í",
            "o": "ó ô õ",
            "u": "ú ü",
            "y": "ý ÿ",
        ]),
        (["dk"], [
            "a": "ä å",
            "e": "é",
            "o": "ö ø",
            "u": "ü",
            "ae": "æ",
        ]),
        (["eu", "de", "pl"], [
            "a": "á à ă â å ä ã ą ā",
            "c": "ć ĉ č ċ ç",
            "d": "ď đ",
            "e": "é è ĕ ê ě ë ė ę ē",
            "g": "ğ ĝ ġ ģ",
            "h": "ĥ ħ",
            "i": "í ì ĭ î ï ĩ į ī",
            "j": "ĵ",
            "k": "ķ ĸ",
            "l": "ĺ ľ ļ ł",
            "n": "ń ň ñ ņ",
            "o": "ó ò ŏ ô ö ő õ ø ō",
            "r": "ŕ ř ŗ",
            "s": "ś ŝ š ş",
            "t": "ť ţ ŧ",
            "u": "ú ù ŭ û ů ü ű ũ ų ū",
            "w": "ŵ",
            "y": "ý ŷ ÿ",
            "z": "ź ž ż",
            "ae": "æ",
            "oe": "œ",
        ]),
        (["fi"], [
            "3": "ʒ",
            "a": "á ä å â",
            "c": "č",
            "d": "đ",
            "g": "ǧ ǥ",
            "k": "ǩ",
            "n": "ŋ",
            "o": "õ ö",
            "s": "š",
            "t": "ŧ",
            "z": "ž",
        ]),
        (["no"], [
            "a": "á à ä å",
            "c": "č ç",
            "e": "é è ê",
            "i": "ï",
            "n": "ŋ ń ñ",
            "o": "ó ò ô ö ø",
            "s": "š",
            "t": "ŧ",
            "u": "ü",
            "z": "ž",
            "ae": "æ",
        ]),
        (["be", "fr", "re", "yt", "pm", "wf", "tf", "ch", "li"], [
            "a": "à á â ã ä å",
            "c": "ç",
            "e": "è é ê ë",
            "i": "ì í î ï",
            "n": "ñ",
            "o": "ò ó ô õ ö",
            "u": "ù ú û ü",
            "y": "ý ÿ",
            "ae": "æ",
            "oe": "œ",
        ]),
        (["ca"], [
            "a": "à â",
            "c": "ç",
            "e": "è é ê ë",
            "i": "î ï",
            "o": "ô",
            "u": "ù û ü",
            "y": "ÿ",
            "ae": "æ",
            "oe": "œ",
        ]),
    ]
}
