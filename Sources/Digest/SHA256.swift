import CLibCrypto
import Foundation

/// SHA-256 through OpenSSL's libcrypto (EVP), streaming or in one call.
///
/// Artifacts, downloads and data sources are recorded with their SHA-256 so that a user can
/// tell whether two runs read the same bytes.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    /// Errors from hashing a file.
    public enum HashError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case libcrypto(String)
        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path) to compute its SHA-256: \(reason)"
            case let .libcrypto(what): return "libcrypto failed to \(what)"
            }
        }
    }

    public init() throws {
        guard let context = EVP_MD_CTX_new() else { throw HashError.libcrypto("allocate a digest context") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw HashError.libcrypto("initialise SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes to the hash.
    public func update(_ data: some DataProtocol) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// Ends the hash and returns the digest as lowercase hex.
    public consuming func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Self.hex(digest.prefix(Int(length)))
    }

    /// The hex SHA-256 of some bytes.
    public static func hex(of data: some DataProtocol) -> String {
        guard let hasher = try? SHA256() else { return "" }
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// The hex SHA-256 of a string's UTF-8 bytes.
    public static func hex(of string: String) -> String {
        hex(of: Array(string.utf8))
    }

    /// The hex SHA-256 and byte size of a file, read in 1 MiB blocks.
    public static func hexAndSize(ofFile url: URL) throws -> (sha256: String, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw HashError.unreadable(path: url.path, reason: "no such file or not readable")
        }
        defer { try? handle.close() }
        let hasher = try SHA256()
        var size: Int64 = 0
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw HashError.unreadable(path: url.path, reason: "\(error)")
            }
            if chunk.isEmpty { break }
            size += Int64(chunk.count)
            hasher.update(chunk)
        }
        return (hasher.finalizeHex(), size)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
