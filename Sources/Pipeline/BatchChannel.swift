import Foundation

/// A bounded first-in first-out hand-over of batches from one producing thread to one
/// consuming thread, so that reading and parsing overlap scoring and writing on another core
/// while memory stays bounded (at most `capacity` batches wait).
///
/// Either side can close it with an error: the other side sees the close at its next call
/// (`send` returns false, `receive` throws the error), so a failure on one side stops both.
public final class BatchChannel<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var finished = false
    private var failure: (any Error)?

    /// A channel holding at most `capacity` (at least 1) waiting batches.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Hands a batch over, waiting while the channel is full. Returns false when the channel
    /// was closed (the batch is dropped: the consumer has stopped).
    @discardableResult
    public func send(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !finished { condition.wait() }
        if finished { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The next batch, waiting for one; nil once the channel is finished and drained.
    ///
    /// - Throws: the error the channel was closed with (after the batches sent before it).
    public func receive() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished { condition.wait() }
        if head < items.count {
            let element = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.broadcast()
            return element
        }
        if let failure { throw failure }
        return nil
    }

    /// Ends the channel: no more batches (`error` nil), or a failure the consumer will throw
    /// after the batches already sent. A later close keeps the first one's error.
    public func close(_ error: (any Error)? = nil) {
        condition.lock()
        defer { condition.unlock() }
        if !finished {
            finished = true
            failure = error
        }
        condition.broadcast()
    }

    /// Stops the channel from the consuming side: waiting and later sends return false, and
    /// batches not yet received are dropped.
    public func cancel() {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        items.removeAll()
        head = 0
        condition.broadcast()
    }
}

/// Runs `body` on a new thread (with a large stack, as the readers' parsers recurse) and
/// returns a handle to wait for it.
public final class BackgroundWork: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Starts `body` at once on its own thread.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// Waits until `body` has returned.
    public func wait() {
        done.wait()
        done.signal()
    }
}
