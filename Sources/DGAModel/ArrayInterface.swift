/// The `__array_interface__` JSON text that XGBoost's newer C functions take instead of typed
/// pointers: the address travels as a decimal number inside the JSON.
///
/// The text is only valid while the pointer is; callers build it inside `withUnsafeBufferPointer`.
enum ArrayInterface {
    static func json(_ buffer: UnsafeBufferPointer<Float>, shape: [Int]) -> String {
        make(address: buffer.baseAddress, shape: shape, typestr: "<f4")
    }

    static func json(_ buffer: UnsafeBufferPointer<UInt32>) -> String {
        make(address: buffer.baseAddress, shape: [buffer.count], typestr: "<u4")
    }

    static func json(_ buffer: UnsafeBufferPointer<Int>) -> String {
        make(address: buffer.baseAddress, shape: [buffer.count], typestr: "<i\(MemoryLayout<Int>.size)")
    }

    private static func make<T>(address: UnsafePointer<T>?, shape: [Int], typestr: String) -> String {
        // An empty array may have no address; XGBoost still wants a number there.
        let raw = address.map { UInt(bitPattern: $0) } ?? 0
        let dims = shape.map(String.init).joined(separator: ", ")
        return #"{"data": [\#(raw), true], "shape": [\#(dims)], "typestr": "\#(typestr)", "version": 3}"#
    }
}
