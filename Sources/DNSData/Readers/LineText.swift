/// Small helpers on raw lines.
enum LineText {
    /// The line without a leading UTF-8 byte order mark.
    static func droppingBOM(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF else { return line }
        return UnsafeBufferPointer(rebasing: line[3...])
    }

    /// The first byte that is not a space, tab or CR, or nil for a blank line.
    @inline(__always)
    static func firstNonBlank(_ line: UnsafeBufferPointer<UInt8>) -> UInt8? {
        for c in line where c != 0x20 && c != 0x09 && c != 0x0D {
            return c
        }
        return nil
    }
}
