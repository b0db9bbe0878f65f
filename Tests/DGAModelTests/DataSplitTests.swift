import DGAModel
import Testing

@Suite struct DataSplitTests {
    @Test func stratifiedSplitKeepsClassSharesAndCoversEveryRowOnce() throws {
        let labels = (0..<10_000).map { $0 % 40 == 0 }  // 2.5 % positives
        let split = try DataSplit.stratified(labels: labels, train: 0.7, validation: 0.1, test: 0.2, seed: 42)
        let all = split.train + split.validation + split.test
        #expect(all.count == labels.count)
        #expect(Set(all).count == labels.count)
        #expect(split.test.count == 2000 && split.validation.count == 1000 && split.train.count == 7000)
        #expect(split.test.filter { labels[$0] }.count == 50)
        #expect(split.validation.filter { labels[$0] }.count == 25)
        #expect(split.train.filter { labels[$0] }.count == 175)
        #expect(split.train == split.train.sorted())
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let labels = (0..<1000).map { $0 % 3 == 0 }
        let first = try DataSplit.stratified(labels: labels, train: 0.8, test: 0.2, seed: 42)
        let again = try DataSplit.stratified(labels: labels, train: 0.8, test: 0.2, seed: 42)
        let other = try DataSplit.stratified(labels: labels, train: 0.8, test: 0.2, seed: 43)
        #expect(first == again)
        #expect(first.test != other.test)
        #expect(first.validation.isEmpty)
        // Fixed by the algorithm, not by the standard library's shuffle: a change here breaks
        // every recorded experiment's split.
        #expect(Array(first.test.prefix(5)) == [1, 10, 14, 17, 19])
    }

    @Test func badFractionsAndEmptyInputAreRefused() {
        #expect(throws: DataSplitError.invalidFractions(train: 0.8, validation: 0.1, test: 0.2)) {
            try DataSplit.stratified(labels: [true, false], train: 0.8, validation: 0.1, test: 0.2, seed: 1)
        }
        #expect(throws: DataSplitError.invalidFractions(train: 0, validation: 0, test: 1)) {
            try DataSplit.stratified(labels: [true, false], train: 0, test: 1, seed: 1)
        }
        #expect(throws: DataSplitError.empty) {
            try DataSplit.stratified(labels: [Bool](), train: 0.8, test: 0.2, seed: 1)
        }
    }
}
