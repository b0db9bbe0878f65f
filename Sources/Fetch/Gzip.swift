import CZlib
import Digest
import Foundation

/// gzip decompression of files with zlib, streaming, for `.gz` downloads and local `.gz` files.
enum Gzip {
    struct Failure: Error {
        let reason: String
    }

    /// Whether the file starts with the gzip magic bytes 1f 8b.
    static func hasMagic(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 2), head.count == 2 else { return false }
        return head[head.startIndex] == 0x1f && head[head.index(after: head.startIndex)] == 0x8b
    }

    /// Decompresses every member of a gzip file into `destination`, hashing the output as it is
    /// written. Zero padding after the last member is ignored, as gzip(1) does; anything else
    /// after a member must be another member.
    static func decompress(from source: String, to destination: String) throws(Failure) -> (sha256: String, size: Int64) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(reason: "cannot open \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Failure(reason: "cannot create \(destination): \(String(cString: strerror(errno)))") }
        defer { close(output) }

        let hasher: SHA256
        do {
            hasher = try SHA256()
        } catch {
            throw Failure(reason: "\(error)")
        }
        var stream = z_stream()
        guard runme_inflate_init_gzip(&stream) == Z_OK else { throw Failure(reason: "zlib could not initialise") }
        defer { inflateEnd(&stream) }

        let chunk = 256 * 1024
        let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        let outBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer {
            inBuffer.deallocate()
            outBuffer.deallocate()
        }

        var size: Int64 = 0
        var memberEnded = false
        var sawInput = false
        while true {
            let count = read(input, inBuffer, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: "cannot read \(source): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            sawInput = true
            stream.next_in = inBuffer
            stream.avail_in = uInt(count)
            while stream.avail_in > 0 {
                if memberEnded {
                    while stream.avail_in > 0 && stream.next_in.pointee == 0 {
                        stream.next_in += 1
                        stream.avail_in -= 1
                    }
                    if stream.avail_in == 0 { break }
                    guard inflateReset(&stream) == Z_OK else { throw Failure(reason: "zlib could not reset") }
                    memberEnded = false
                }
                repeat {
                    stream.next_out = outBuffer
                    stream.avail_out = uInt(chunk)
                    let code = inflate(&stream, Z_NO_FLUSH)
                    guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                        throw Failure(reason: "corrupt gzip data after \(size) output bytes: \(message)")
                    }
                    let produced = chunk - Int(stream.avail_out)
                    if produced > 0 {
                        try writeAll(output, outBuffer, produced, destination)
                        hasher.update(UnsafeRawBufferPointer(start: outBuffer, count: produced))
                        size += Int64(produced)
                    }
                    if code == Z_STREAM_END {
                        memberEnded = true
                        break
                    }
                    if code == Z_BUF_ERROR { break }
                } while stream.avail_out == 0
            }
        }
        guard sawInput else { throw Failure(reason: "the file is empty") }
        guard memberEnded else { throw Failure(reason: "the gzip data ends early (truncated file)") }
        return (hasher.finalizeHex(), size)
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int, _ path: String) throws(Failure) {
        var offset = 0
        while offset < count {
            let written = write(fd, buffer + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
