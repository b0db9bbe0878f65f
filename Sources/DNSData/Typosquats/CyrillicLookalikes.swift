/// Latin letters and the Cyrillic letters drawn the same way. A name can be spelled wholly in
/// Cyrillic only when every one of its characters has a twin here.
enum CyrillicLookalikes {
    static let twin: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(Unicode.Scalar, Unicode.Scalar)] = [
            ("a", "\u{0430}"), ("b", "\u{044C}"), ("c", "\u{0441}"), ("d", "\u{0501}"), ("e", "\u{0435}"),
            ("g", "\u{050D}"), ("h", "\u{04BB}"), ("i", "\u{0456}"), ("j", "\u{0458}"), ("k", "\u{043A}"),
            ("l", "\u{04CF}"), ("m", "\u{043C}"), ("o", "\u{043E}"), ("p", "\u{0440}"), ("q", "\u{051B}"),
            ("s", "\u{0455}"), ("t", "\u{0442}"), ("v", "\u{0475}"), ("w", "\u{051D}"), ("x", "\u{0445}"),
            ("y", "\u{0443}"),
        ]
        return Dictionary(uniqueKeysWithValues: pairs)
    }()
}
