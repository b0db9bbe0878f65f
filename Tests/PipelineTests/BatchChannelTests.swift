import Foundation
import Pipeline
import Testing

/// The hand-over between the pipeline's reading thread and its writing thread.
@Suite struct BatchChannelTests {
    struct Failure: Error, Equatable { var batch: Int }

    @Test func batchesArriveInOrderAndTheErrorAfterThem() throws {
        let channel = BatchChannel<Int>(capacity: 2)
        let producer = BackgroundWork(name: "test-producer") {
            for batch in 0..<100 { #expect(channel.send(batch)) }
            channel.close(Failure(batch: 100))
        }
        var received: [Int] = []
        #expect(throws: Failure(batch: 100)) {
            while let batch = try channel.receive() { received.append(batch) }
        }
        producer.wait()
        #expect(received == Array(0..<100))
    }

    @Test func aCancelledChannelStopsTheProducer() throws {
        let channel = BatchChannel<Int>(capacity: 1)
        let sent = Counter()
        let producer = BackgroundWork(name: "test-producer") {
            // Blocks on the full channel until the consumer cancels; then sends fail.
            while channel.send(sent.next()) {}
        }
        #expect(try channel.receive() == 0)
        channel.cancel()
        producer.wait()
        #expect(try channel.receive() == nil)
        #expect(sent.value < 10)
    }

    @Test func aClosedChannelEndsAfterItsBatches() throws {
        let channel = BatchChannel<String>(capacity: 4)
        #expect(channel.send("a"))
        #expect(channel.send("b"))
        channel.close()
        #expect(!channel.send("c"))
        #expect(try channel.receive() == "a")
        #expect(try channel.receive() == "b")
        #expect(try channel.receive() == nil)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func next() -> Int { lock.withLock { defer { count += 1 }; return count } }
    }
}
