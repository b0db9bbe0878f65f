import Foundation

/// An RFC 5322 message with a plain-text and an HTML part (`multipart/alternative`), CRLF line
/// ends, UTF-8 bodies in quoted-printable (so no line passes SMTP's 998-octet limit) and
/// RFC 2047 encoded words for a non-ASCII subject.
struct MailMessage {
    var from: String
    var to: [String]
    var subject: String
    var text: String
    var html: String
    var date: Date
    /// The boundary between parts; random by default, fixed in tests.
    var boundary = "runme-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    var messageID = "<\(UUID().uuidString.lowercased())@runme>"

    func encoded() -> Data {
        var lines = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.encodedHeader(subject))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "X-Mailer: runme",
            "",
            "This is a multi-part message in MIME format.",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
        ]
        lines += Self.quotedPrintable(text)
        lines += [
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
        ]
        lines += Self.quotedPrintable(html)
        lines += ["--\(boundary)--", ""]
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    /// Quoted-printable lines (RFC 2045 §6.7) of UTF-8 text: at most 76 characters each, soft
    /// breaks with a trailing `=`, hard breaks as CRLF.
    static func quotedPrintable(_ text: String) -> [String] {
        var output: [String] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: String
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                // A line starting with "." could be read as the end of the SMTP data by a
                // careless relay; encoding it costs nothing.
                if current.isEmpty && piece == "." { piece = "=2E" }
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                    if piece == "." { piece = "=2E" }
                }
                current += piece
            }
            output.append(current)
        }
        return output
    }

    /// A header value: as is when printable ASCII, else base64 encoded words of at most 45 bytes each.
    static func encodedHeader(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) && clean.count <= 900 { return clean }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
