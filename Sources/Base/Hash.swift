import Foundation

/// 64-bit FNV-1a: a fast, dependency-free content hash (CryptoKit is not on Linux). It finds
/// duplicate copies of a clip, keys caches and checks that cached artifacts are intact; it is
/// not meant to resist an attacker, which is why duplicates found by it are confirmed byte by
/// byte before one is dropped.
public struct FNV1a64: Sendable, Equatable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value: UInt64 = FNV1a64.offsetBasis

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= FNV1a64.prime
        }
        value = h
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The hash as 16 lowercase hex digits.
    public var hex: String { FNV1a64.hex(value) }

    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Why a file could not be hashed.
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Hash of a whole file's bytes, and its size. Reads in 1 MiB chunks so that memory stays
    /// flat whatever the file size.
    public static func hash(fileAt url: URL) throws -> (hash: UInt64, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ReadError(path: url.path, reason: "cannot open it for reading; check its permissions")
        }
        defer { try? handle.close() }
        var hasher = FNV1a64()
        var size = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw ReadError(path: url.path, reason: "read error: \(SystemErrorText.describe(error))")
            }
            if chunk.isEmpty { break }
            size += chunk.count
            hasher.update(chunk)
        }
        return (hasher.value, size)
    }
}
