@testable import DGAModel
import Foundation
import TestSupport
import Testing

/// `SlotTable`, the 4- and 5-gram slots of the combined index, against a plain dictionary: keys
/// are the fitted featurizer's real 4- and 5-grams (popular and dictionary tables), looked up
/// with every 4- and 5-gram of the alexa and DGA labels, present and absent.
@Suite struct SlotTableTests {
    /// A gram as `GramIndex` keys it: a leading 1 bit, then 6 bits per character.
    static func key(_ gram: some Collection<UInt8>) -> UInt32 {
        var key: UInt32 = 1
        for byte in gram { key = key << 6 | UInt32(classes[Int(byte)]) }
        return key
    }

    /// Classes 1... for the characters of domain labels, 63 for anything else.
    static let classes: [UInt8] = {
        var classes = [UInt8](repeating: 63, count: 256)
        for (rank, byte) in "etaoinsrlcdmuphgbykfwvjxzq0123456789-_".utf8.enumerated() { classes[Int(byte)] = UInt8(rank + 1) }
        return classes
    }()

    static func grams(of text: String) -> [UInt32] {
        let bytes = Array(text.utf8)
        var keys: [UInt32] = []
        for n in 4...5 where bytes.count >= n {
            for start in 0...(bytes.count - n) { keys.append(key(bytes[start..<(start + n)])) }
        }
        return keys
    }

    @Test func lookupsAgreeWithADictionaryOnRealGrams() throws {
        let featurizer = try DGATestData.shared.featurizer
        var values: [UInt32: UInt32] = [:]
        // Facts as the index has them: a number per gram, and a bit for the dictionary's.
        for (grams, bit) in [(featurizer.popularGrams.grams, UInt32(0)), (featurizer.dictionaryGrams.grams, UInt32(1) << 31)] {
            for gram in grams where (4...5).contains(gram.utf8.count) {
                let key = Self.key(gram.utf8)
                let number = UInt32(values.count + 1)
                values[key] = (values[key] ?? number) | bit
            }
        }
        #expect(values.count > 20_000)
        let table = try #require(SlotTable(values))
        #expect(table.count == values.count)

        var present = 0, absent = 0, mismatches: [String] = []
        for label in try DGATestData.alexaLabels() + DGATestData.dgaLabels() {
            for key in Self.grams(of: label) {
                let expected = values[key]
                let found = table.find(key: key)
                if found?.info != expected || (found != nil && found?.key != key) {
                    mismatches.append("\(label) key \(key): \(String(describing: found)) vs \(String(describing: expected))")
                }
                if expected == nil { absent += 1 } else { present += 1 }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(5))")
        // Both kinds of lookup are exercised in bulk.
        #expect(present > 100_000 && absent > 100_000, "present \(present), absent \(absent)")
    }

    @Test func layoutKeepsEveryEntryReachableAndEndsEveryProbe() throws {
        let featurizer = try DGATestData.shared.featurizer
        var values: [UInt32: UInt32] = [:]
        for gram in featurizer.popularGrams.grams where gram.utf8.count == 5 { values[Self.key(gram.utf8)] = UInt32(gram.utf8.count) }
        let table = try #require(SlotTable(values))
        let slots = table.slots
        // The last slot is empty (every probe ends), the home slots are at most half used.
        #expect(slots.last?.stored == 0)
        #expect(Int(table.capacity) >= 2 * values.count)
        var stored = 0
        var misplaced: [Int] = []
        var displacedHomes = Set<Int>()
        for (slot, entry) in slots.enumerated() where entry.stored != 0 {
            stored += 1
            // At or after its home, with no empty slot in between (else a probe would stop short).
            let home = SlotTable.home(SlotTable.mixed(entry.key), capacity: table.capacity)
            if home > slot || !slots[home..<slot].allSatisfy({ $0.stored != 0 }) { misplaced.append(slot) }
            if home != slot { displacedHomes.insert(home) }
        }
        #expect(misplaced.isEmpty, "misplaced entries in slots \(misplaced.prefix(5))")
        #expect(stored == values.count)
        // The mark is on exactly the home slots some key was displaced from (a missing mark would
        // lose that key; a stray one only costs a probe), and both kinds of home slot occur.
        let marked = Set(slots.indices.filter { slots[$0].stored & SlotTable.displaced != 0 })
        #expect(marked == displacedHomes)
        #expect(!marked.isEmpty && marked.count < stored / 2, "\(marked.count) marked home slots of \(stored) keys")
    }

    @Test func emptyAndTinyTables() throws {
        let empty = try #require(SlotTable([:]))
        #expect(empty.count == 0)
        #expect(empty.find(key: Self.key("goog".utf8)) == nil)
        let one = try #require(SlotTable([Self.key("goog".utf8): 7]))
        #expect(one.find(key: Self.key("goog".utf8))?.info == 7)
        #expect(one.find(key: Self.key("oogl".utf8)) == nil)
    }

    /// Keys must leave the top bit to the displaced mark, and 0 marks an empty slot.
    @Test func rejectsKeysItCannotHold() {
        #expect(SlotTable([0: 1]) == nil)
        #expect(SlotTable([1 << 31 | 5: 1]) == nil)
        #expect(SlotTable([Self.key("googl".utf8): 1]) != nil)
    }
}
