import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Tracking

@Suite("Text escaping")
struct TextEscapingTests {
    /// Names from the sample's URLhaus feed and hostile strings an alert or report may carry.
    static let samples = [
        "asdklgb.cf", "AgentTesla", "tag \"quoted\" & <b>bold</b>", "line\nbreak\ttab\r", "back\\slash",
        "bell\u{07} nul\u{00}", "sep\u{2028}para\u{2029}", "ünïcödé ドメイン", "'single'", "e\u{301}&\u{301}",
    ]

    @Test("JSON literals parse back to the same string, HTML-safe or not")
    func jsonRoundTrips() throws {
        for text in Self.samples {
            for htmlSafe in [false, true] {
                let literal = JSONStringLiteral.quoted(text, htmlSafe: htmlSafe)
                let parsed = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed) as? String
                #expect(parsed == text, "\(literal)")
                if htmlSafe {
                    #expect(!literal.contains("<") && !literal.contains(">") && !literal.contains("&"))
                    #expect(!literal.unicodeScalars.contains { $0.value == 0x2028 || $0.value == 0x2029 })
                }
                #expect(!literal.unicodeScalars.contains { $0.value < 0x20 })
            }
        }
        #expect(JSONStringLiteral.escaped("<a>") == "<a>")
        #expect(JSONStringLiteral.escaped("<a>", htmlSafe: true) == "\\u003ca\\u003e")
    }

    @Test("HTML text has no markup characters left, and an XML parser gives the text back")
    func htmlEscapes() throws {
        // XML forbids most control characters and normalizes CR, so those samples are left out here.
        for text in Self.samples where !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
            let escaped = HTMLText.escaped(text)
            #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"))
            let document = try XMLDocument(xmlString: "<p title=\"\(escaped)\">\(escaped)</p>")
            #expect(document.rootElement()?.stringValue == text)
        }
        // A combining mark after "&" must not hide the ampersand from the escaping.
        #expect(HTMLText.escaped("&\u{301}") == "&amp;\u{301}")
    }
}
