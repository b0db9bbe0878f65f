import DNSData
import Foundation
import Testing

@Suite struct PunycodeTests {
    /// Sample strings of RFC 3492 section 7.1 (and a few IDN labels), with their encodings.
    static let samples: [(unicode: String, punycode: String)] = [
        ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
        ("PorquénopuedensimplementehablarenEspañol", "PorqunopuedensimplementehablarenEspaol-fmd56a"),
        ("TạisaohọkhôngthểchỉnóitiếngViệt", "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"),
        ("安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
        ("MajiでKoiする5秒前", "MajiKoi5-783gue6qz075azm5e"),
        ("そのスピードで", "d9juau41awczczp"),
        ("-> $1.00 <-", "-> $1.00 <--"),
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
        ("ԍооԍӏе", "e1ara49ctjc"),
        ("公司", "55qx5d"),
        ("рф", "p1ai"),
        ("😀", "e28h"),
    ]

    @Test func encodesAndDecodesTheRFCSamples() {
        for sample in Self.samples {
            #expect(Punycode.encode(sample.unicode) == sample.punycode, "\(sample.unicode)")
            #expect(Punycode.decode(sample.punycode) == sample.unicode, "\(sample.punycode)")
        }
    }

    @Test func decodingIgnoresDigitCase() {
        #expect(Punycode.decode("IHQWCRB4CV8A8DQG056PQJYE") == "他们为什么不说中文")
    }

    /// Each is rejected by RFC 3492's decoding (and by Python's `punycode` codec): a basic
    /// code point that is not ASCII or not a digit of the base, a delta that overflows, a
    /// code point past U+10FFFF or a surrogate, input that ends inside a number. None may trap.
    @Test func malformedInputIsNilNotATrap() {
        for bad in ["abc-!", "é", "99999999999999999999", "99999999999", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "a-9", "-z", "ab-z9z9z9", "a-!", "a!b"] {
            #expect(Punycode.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsEveryUnicodeLabelOfTheList() throws {
        let psl = try String(contentsOfFile: PublicSuffixList.debianPath, encoding: .utf8)
        var count = 0
        for line in psl.split(separator: "\n") where !line.hasPrefix("//") {
            for label in line.split(separator: ".") where label.unicodeScalars.contains(where: { !$0.isASCII }) {
                let text = String(label)
                let encoded = try #require(Punycode.encode(text))
                #expect(Punycode.decode(encoded) == text)
                count += 1
            }
        }
        #expect(count > 400)
    }
}
