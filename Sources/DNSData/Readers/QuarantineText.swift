extension QuarantinedLine {
    /// The text kept of a bad line: at most ``maxRawBytes`` bytes of UTF-8, with invalid
    /// sequences and NUL bytes replaced by U+FFFD (a NUL would cut the text short for
    /// every C reader of the table).
    static func rawText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let head = UnsafeBufferPointer(rebasing: bytes.prefix(maxRawBytes))
        var text = String(decoding: head, as: UTF8.self)
        if text.utf8.contains(0) {
            text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
        }
        // Replacement characters are three bytes, so repairing can lengthen the text.
        if text.utf8.count > maxRawBytes {
            var scalars = String.UnicodeScalarView()
            var size = 0
            for scalar in text.unicodeScalars {
                let width = UTF8.width(scalar)
                if size + width > maxRawBytes { break }
                scalars.append(scalar)
                size += width
            }
            text = String(scalars)
        }
        return text
    }
}
