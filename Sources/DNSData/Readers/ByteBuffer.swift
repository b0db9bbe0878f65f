/// A growable byte buffer that owns its memory.
///
/// Non-copyable so that exactly one owner frees it, and so that passing it `inout` needs no
/// dynamic exclusivity check: it sits on the loading hot path, where `[UInt8]`'s uniqueness
/// and bounds checks were a visible share of the time.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes (addresses change when it grows).
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(from: bytes, count: n)
        count += n
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { if let p = $0.baseAddress { append(p, count: $0.count) } }
    }

    mutating func append(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Appends the bytes of another buffer.
    mutating func append(contentsOf other: borrowing ByteBuffer) {
        append(other.base, count: other.count)
    }

    /// Forgets the bytes after `newCount`, keeping the memory.
    @inline(__always)
    mutating func truncate(to newCount: Int) { count = min(count, newCount) }

    mutating func removeAll() { count = 0 }

    /// A view of `length` bytes from `offset`; valid until the buffer next grows.
    @inline(__always)
    func bytes(at offset: Int, length: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + offset, count: length)
    }

    func string(at offset: Int, length: Int) -> String {
        String(decoding: bytes(at: offset, length: length), as: UTF8.self)
    }
}
