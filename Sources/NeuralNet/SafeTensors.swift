// safetensors, read and written by us (the format is simple):
//   8-byte little-endian u64 N | N bytes of UTF-8 JSON header | data section
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte
// offsets into the data section, end exclusive) plus an optional "__metadata__" string→string map.
// We read F32, F64, I64, I32 (converted to Float32 — exact for integers below 2^24) and write F32.
import Base
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case truncated(String)
    case notSafeTensors(String)
    case unsupported(String)
    case io(String)

    /// The same error with the file's path in front of its message.
    func naming(_ path: String) -> SafeTensorsError {
        switch self {
        case .truncated(let m): return .truncated("\(path): \(m)")
        case .notSafeTensors(let m): return .notSafeTensors("\(path): \(m)")
        case .unsupported(let m): return .unsupported("\(path): \(m)")
        case .io(let m): return .io(m.hasPrefix(path) || m.hasPrefix("cannot read") ? m : "\(path): \(m)")
        }
    }

    public var description: String {
        switch self {
        case .truncated(let m): return "truncated safetensors file: \(m)"
        case .notSafeTensors(let m): return "not a safetensors file: \(m)"
        case .unsupported(let m): return "unsupported safetensors content: \(m)"
        case .io(let m): return m
        }
    }
}

/// The dtypes this reader converts to Float32.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64"
    public var itemSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        }
    }
}

/// One tensor as the header declares it, checked against the file: a known dtype, a shape
/// whose element count and byte size do not overflow, and `[begin, end)` inside the data
/// section holding exactly `count × itemSize` bytes.
public struct SafeTensorsEntry: Equatable, Sendable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    public let count: Int
    /// Byte offsets into the data section (end exclusive).
    public let begin: Int, end: Int
    public var byteCount: Int { end - begin }
}

/// A header that has passed every check against the file it came from: its length (below
/// `SafeTensors.maxHeaderBytes` and inside the file), its JSON, every entry, and the data
/// section indexed exactly once (no overlap, no gap, no unindexed tail).
public struct SafeTensorsHeader: Sendable {
    public let entries: [String: SafeTensorsEntry]
    public let metadata: [String: String]
    public let headerLength: Int
    public let dataSize: Int
    public var dataStart: Int { 8 + headerLength }
    /// Bytes the tensors take in the data section (the data section's size).
    public var tensorBytes: Int { dataSize }
}

public enum SafeTensors {
    /// The longest JSON header read (16 MiB; the notebook's model file has 2.5 KB). A longer
    /// declared length is refused before anything is allocated.
    public static let maxHeaderBytes = 16 << 20
    /// The most dimensions a tensor may have.
    public static let maxRank = 8
    /// The most bytes `read` loads by default (the data section of a file it accepts).
    public static let defaultMaxDataBytes = 1 << 30

    /// An open safetensors file whose header has been read and checked; tensors are read one by
    /// one on demand (`tensor(_:)`), so a caller can check the header's shapes before any
    /// tensor is allocated. Errors name the file.
    public final class File {
        public let url: URL
        public let header: SafeTensorsHeader
        private let fd: Int32

        public init(_ url: URL) throws {
            self.url = url
            let path = url.path
            var st = stat()
            if stat(path, &st) != 0 {
                throw SafeTensorsError.io("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                let what: String
                switch st.st_mode & S_IFMT {
                case S_IFDIR: what = "a folder"
                case S_IFIFO: what = "a FIFO (named pipe)"
                case S_IFSOCK: what = "a socket"
                case S_IFCHR, S_IFBLK: what = "a device"
                default: what = "not a regular file"
                }
                throw SafeTensorsError.io("cannot read \(path): it is \(what), not a model file")
            }
            // O_NONBLOCK: should the path have become a FIFO since the stat, open does not wait.
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                throw SafeTensorsError.io("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            var fst = stat()
            guard fstat(fd, &fst) == 0, (fst.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw SafeTensorsError.io("cannot read \(path): not a regular file")
            }
            self.fd = fd
            let size = Int(fst.st_size)
            do {
                header = try SafeTensors.checkedHeader(fileSize: size) { offset, buffer in
                    try SafeTensors.preadFully(fd, buffer, at: offset)
                }
            } catch let e as SafeTensorsError {
                close(fd)
                throw e.naming(path)
            } catch {
                close(fd)
                throw error
            }
        }

        deinit { close(fd) }

        /// The tensor `name` (converted to Float32); nil when the header has no such entry.
        public func tensor(_ name: String) throws -> Tensor? {
            guard let e = header.entries[name] else { return nil }
            do {
                return try SafeTensors.load(e) { offset, buffer in
                    try SafeTensors.preadFully(fd, buffer, at: header.dataStart + offset)
                }
            } catch let e as SafeTensorsError {
                throw e.naming(url.path)
            }
        }
    }

    /// Reads every tensor and the `__metadata__` map. Errors name the file and what is wrong.
    /// A file whose data section is larger than `maxDataBytes` is refused before it is read.
    public static func read(_ url: URL, maxDataBytes: Int = defaultMaxDataBytes) throws
        -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try File(url)
        guard file.header.dataSize <= maxDataBytes else {
            throw SafeTensorsError.unsupported("\(url.path): its tensors take \(file.header.dataSize) bytes, above the limit \(maxDataBytes)")
        }
        var tensors: [String: Tensor] = [:]
        for name in file.header.entries.keys.sorted() { tensors[name] = try file.tensor(name) }
        return (tensors, file.header.metadata)
    }

    /// Decodes a whole safetensors file held in memory.
    public static func decode(_ data: Data) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let bytes = [UInt8](data)
        func fill(_ offset: Int, _ buffer: UnsafeMutableRawBufferPointer) throws {
            guard offset >= 0, buffer.count <= bytes.count - offset else {
                throw SafeTensorsError.truncated("the file ends before byte \(offset + buffer.count)")
            }
            bytes.withUnsafeBytes { src in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + buffer.count)]))
            }
        }
        let header = try checkedHeader(fileSize: bytes.count, fill)
        var tensors: [String: Tensor] = [:]
        for (name, e) in header.entries {
            tensors[name] = try load(e) { offset, buffer in try fill(header.dataStart + offset, buffer) }
        }
        return (tensors, header.metadata)
    }

    // MARK: - Checking the header

    /// Reads (through `fill`, which copies bytes at a file offset into a buffer) and checks the
    /// header of a file of `fileSize` bytes. Nothing larger than `maxHeaderBytes` is allocated.
    static func checkedHeader(fileSize size: Int,
                              _ fill: (Int, UnsafeMutableRawBufferPointer) throws -> Void) throws -> SafeTensorsHeader {
        guard size >= 8 else {
            throw SafeTensorsError.truncated("\(size) bytes, shorter than the 8-byte header length")
        }
        var prefix = [UInt8](repeating: 0, count: size > 8 ? 9 : 8)
        try prefix.withUnsafeMutableBytes { try fill(0, $0) }
        var n64: UInt64 = 0
        for k in 0..<8 { n64 |= UInt64(prefix[k]) << (8 * UInt64(k)) }
        // A safetensors header is JSON text starting with '{'; anything else is a foreign file.
        if size > 8, prefix[8] != UInt8(ascii: "{") {
            throw SafeTensorsError.notSafeTensors("the header does not start with '{' (header length field \(n64))")
        }
        guard n64 <= UInt64(maxHeaderBytes) else {
            throw SafeTensorsError.notSafeTensors("header length \(n64) is above the limit \(maxHeaderBytes) bytes (the file has \(size))")
        }
        guard n64 <= UInt64(size - 8) else {
            throw SafeTensorsError.truncated("header length \(n64) but only \(size - 8) bytes follow")
        }
        let n = Int(n64)
        guard n >= 2 else { throw SafeTensorsError.notSafeTensors("header length \(n) is too short for a JSON object") }
        var headerBytes = [UInt8](repeating: 0, count: n)
        try headerBytes.withUnsafeMutableBytes { try fill(8, $0) }
        let raw = try parseJSON(headerBytes)
        let dataSize = size - 8 - n
        var entries: [String: SafeTensorsEntry] = [:]
        for (name, r) in raw.entries {
            guard entries[name] == nil else { throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)) is declared twice") }
            entries[name] = try checkedEntry(name, r, dataSize: dataSize)
        }
        // The data section must be indexed exactly once: no overlap, no gap, nothing after the
        // last tensor (as the format requires; a huge sparse tail is refused here, unread).
        var next = 0
        for e in entries.values.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            if e.begin < next {
                throw SafeTensorsError.notSafeTensors("tensor \(quoted(e.name)): data_offsets [\(e.begin), \(e.end)] overlap another tensor's bytes (up to \(next))")
            }
            if e.begin > next {
                throw SafeTensorsError.notSafeTensors("bytes \(next)..<\(e.begin) of the data section belong to no tensor (before tensor \(quoted(e.name)))")
            }
            next = e.end
        }
        guard next == dataSize else {
            throw SafeTensorsError.notSafeTensors("the data section has \(dataSize) bytes but its tensors take \(next); bytes after them belong to no tensor")
        }
        return SafeTensorsHeader(entries: entries, metadata: raw.metadata, headerLength: n, dataSize: dataSize)
    }

    static func checkedEntry(_ name: String, _ r: RawEntry, dataSize: Int) throws -> SafeTensorsEntry {
        guard let dtype = SafeTensorsDType(rawValue: r.dtype) else {
            throw SafeTensorsError.unsupported("tensor \(quoted(name)) has dtype \(r.dtype.prefix(32)) (F32, F64, I32, I64 are read)")
        }
        guard r.shape.count <= maxRank else {
            throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): shape has \(r.shape.count) dimensions, above the limit \(maxRank)")
        }
        var count = 1
        for (i, d) in r.shape.enumerated() {
            guard d >= 0 else { throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): shape dimension \(i) is \(d)") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): shape \(r.shape) has more elements than an Int holds")
            }
            count = p
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else {
            throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): shape \(r.shape) × \(dtype.itemSize) bytes overflows an Int")
        }
        guard r.offsets.count == 2 else {
            throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): data_offsets has \(r.offsets.count) numbers, not 2")
        }
        let begin = r.offsets[0], end = r.offsets[1]
        guard begin >= 0, end >= begin else {
            throw SafeTensorsError.notSafeTensors("tensor \(quoted(name)): data_offsets [\(begin), \(end)] are not an ascending pair of offsets")
        }
        guard end - begin == bytes else {
            throw SafeTensorsError.notSafeTensors(
                "tensor \(quoted(name)): data_offsets [\(begin), \(end)] hold \(end - begin) bytes, shape \(r.shape) × \(dtype.itemSize) needs \(bytes)")
        }
        guard end <= dataSize else {
            throw SafeTensorsError.truncated("tensor \(quoted(name)) ends at byte \(end) of the data section, which has \(dataSize)")
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: r.shape, count: count, begin: begin, end: end)
    }

    /// One header entry as written, before any check.
    struct RawEntry: Decodable {
        var dtype: String; var shape: [Int]; var offsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, offsets = "data_offsets" }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            dtype = try c.decode(String.self, forKey: .dtype)
            // The length is checked before the values are decoded: a shape of a million zeros
            // is refused without building its array.
            var s = try c.nestedUnkeyedContainer(forKey: .shape)
            if let n = s.count, n > SafeTensors.maxRank {
                throw SafeTensorsError.notSafeTensors("shape has \(n) dimensions, above the limit \(SafeTensors.maxRank)")
            }
            shape = []
            while !s.isAtEnd { shape.append(try s.decode(JSONInt.self).value) }
            var o = try c.nestedUnkeyedContainer(forKey: .offsets)
            if let n = o.count, n != 2 {
                throw SafeTensorsError.notSafeTensors("data_offsets has \(n) numbers, not 2")
            }
            offsets = []
            while !o.isAtEnd { offsets.append(try o.decode(JSONInt.self).value) }
        }
    }

    /// The header's JSON: an object of entries plus `__metadata__`, each value of the expected
    /// JSON type (the numbers integers that fit an Int).
    static func parseJSON(_ bytes: [UInt8]) throws -> (entries: [(String, RawEntry)], metadata: [String: String]) {
        // The header nests three levels at most ({"name": {"shape": [..]}}); a deeper one is
        // refused before a recursive parser sees it.
        var depth = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > 4 { throw SafeTensorsError.notSafeTensors("the header nests deeper than a safetensors header does") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        let decoded: DecodedHeader
        do { decoded = try JSONDecoder().decode(DecodedHeader.self, from: Data(bytes)) } catch let e as SafeTensorsError {
            throw e
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw SafeTensorsError.notSafeTensors("the header is not a JSON object")
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw SafeTensorsError.notSafeTensors("the \(bytes.count)-byte header is not valid JSON")
        } catch let e as DecodingError {
            throw SafeTensorsError.notSafeTensors(describe(e))
        } catch {
            throw SafeTensorsError.notSafeTensors("the \(bytes.count)-byte header is not valid JSON")
        }
        return (decoded.entries, decoded.metadata)
    }

    /// A decoding error as one line: where in the header (`entry 'x' shape[2]`) and what.
    static func describe(_ e: DecodingError) -> String {
        let context: DecodingError.Context, what: String
        switch e {
        case let .typeMismatch(type, c): context = c; what = "is not \(expected(type))"
        case let .valueNotFound(type, c): context = c; what = "is null, not \(expected(type))"
        case let .keyNotFound(key, c): context = c; what = "lacks '\(key.stringValue)'"
        case let .dataCorrupted(c): context = c
            what = c.debugDescription.hasPrefix("Number ")
                ? "is \(c.debugDescription.dropFirst(7).prefix(120))" : "is not valid (\(c.debugDescription.prefix(120)))"
        @unknown default: return "the header is not a safetensors header"
        }
        let path = context.codingPath
        guard let first = path.first else { return "the header \(what)" }
        var place = first.stringValue == "__metadata__" ? "__metadata__" : "entry \(quoted(first.stringValue))"
        for k in path.dropFirst() { place += k.intValue.map { "[\($0)]" } ?? " \(k.stringValue.prefix(100))" }
        return "\(place) \(what)"
    }

    /// An integer that fits an Int. Foundation's decoder reports 1e30 or 1.5 where an Int is
    /// expected as "not valid JSON" with no position; this says where and what instead.
    struct JSONInt: Decodable {
        var value: Int
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { value = i; return }
            if let d = try? c.decode(Double.self) {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "Number \(d), not an integer in Int's range")
            }
            value = try c.decode(Int.self)   // throws the type mismatch (a string, null, ...)
        }
    }

    static func expected(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer in Int's range" }
        if type is [Any].Type || "\(type)".contains("Unkeyed") || "\(type)".hasPrefix("Array") { return "a JSON array" }
        if "\(type)".contains("Dictionary") || "\(type)".contains("Keyed") { return "a JSON object" }
        return "a \(type)"
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    }

    struct DecodedHeader: Decodable {
        var entries: [(String, RawEntry)] = []
        var metadata: [String: String] = [:]
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try c.decode([String: String].self, forKey: key)
                } else {
                    do { entries.append((key.stringValue, try c.decode(RawEntry.self, forKey: key))) } catch SafeTensorsError.notSafeTensors(let m) {
                        throw SafeTensorsError.notSafeTensors("tensor \(SafeTensors.quoted(key.stringValue)): \(m)")
                    }
                }
            }
        }
    }

    /// A tensor name for a message: quoted, cut to 100 characters.
    static func quoted(_ name: String) -> String { name.count > 100 ? "'\(name.prefix(100))…'" : "'\(name)'" }

    // MARK: - Reading tensors

    /// Reads entry `e` (through `fill`, at data-section offsets) and converts it to Float32.
    static func load(_ e: SafeTensorsEntry, _ fill: (Int, UnsafeMutableRawBufferPointer) throws -> Void) throws -> Tensor {
        var values = [Float](repeating: 0, count: e.count)
        switch e.dtype {
        case .f32:
            try values.withUnsafeMutableBytes { try fill(e.begin, $0) }
            #if _endian(big)
            for i in 0..<e.count { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            #endif
        default:
            // Converted a block at a time: never more than 1 MiB of raw bytes besides the result.
            let item = e.dtype.itemSize, block = max(1, (1 << 20) / item)
            var raw = [UInt8](repeating: 0, count: min(e.count, block) * item)
            var i0 = 0
            while i0 < e.count {
                let n = min(block, e.count - i0)
                try raw.withUnsafeMutableBytes { try fill(e.begin + i0 * item, UnsafeMutableRawBufferPointer(rebasing: $0[0..<(n * item)])) }
                raw.withUnsafeBytes { r in
                    for j in 0..<n {
                        switch e.dtype {
                        case .i32: values[i0 + j] = Float(Int32(littleEndian: r.loadUnaligned(fromByteOffset: 4 * j, as: Int32.self)))
                        case .f64: values[i0 + j] = Float(Double(bitPattern: UInt64(littleEndian: r.loadUnaligned(fromByteOffset: 8 * j, as: UInt64.self))))
                        case .i64: values[i0 + j] = Float(Int64(littleEndian: r.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self)))
                        case .f32: break
                        }
                    }
                }
                i0 += n
            }
        }
        return Tensor(shape: e.shape, data: values)
    }

    /// Reads exactly `buffer.count` bytes at `offset` of `fd` (a file that shrank meanwhile is
    /// a truncation error).
    static func preadFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let r = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if r < 0 {
                if errno == EINTR { continue }
                throw SafeTensorsError.io("read error at byte \(offset + done): \(String(cString: strerror(errno)))")
            }
            if r == 0 { throw SafeTensorsError.truncated("the file ends at byte \(offset + done), before byte \(offset + buffer.count)") }
            done += r
        }
    }

    /// Encodes tensors (as F32, in the given order, back to back) and metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in tensors {
            var le = t.data.map { $0.bitPattern.littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Writes a safetensors file atomically (temporary file in the same folder, then rename).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        do { try writeAtomically(encode(tensors, metadata: metadata), to: url) } catch let e as WriteError {
            throw SafeTensorsError.io("cannot write \(url.path): \(e.reason)")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
