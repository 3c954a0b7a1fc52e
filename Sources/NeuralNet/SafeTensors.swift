// safetensors, read and written by us (the format is simple):
//   8-byte little-endian u64 N | N bytes of UTF-8 JSON header | data section
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte
// offsets into the data section, end exclusive) plus an optional "__metadata__" string→string map.
// We read F32, F64, I64, I32 (converted to Float32 — exact for integers below 2^24) and write F32.
import Base
import Foundation

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case truncated(String)
    case notSafeTensors(String)
    case unsupported(String)
    case io(String)

    public var description: String {
        switch self {
        case .truncated(let m): return "truncated safetensors file: \(m)"
        case .notSafeTensors(let m): return "not a safetensors file: \(m)"
        case .unsupported(let m): return "unsupported safetensors content: \(m)"
        case .io(let m): return m
        }
    }
}

public enum SafeTensors {
    /// Reads every tensor and the `__metadata__` map. Errors name the file and what is wrong.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
        do { return try decode(data) } catch let e as SafeTensorsError {
            switch e {
            case .truncated(let m): throw SafeTensorsError.truncated("\(url.path): \(m)")
            case .notSafeTensors(let m): throw SafeTensorsError.notSafeTensors("\(url.path): \(m)")
            case .unsupported(let m): throw SafeTensorsError.unsupported("\(url.path): \(m)")
            case .io: throw e
            }
        }
    }

    /// Decodes a whole safetensors file held in memory.
    public static func decode(_ data: Data) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let size = data.count
        guard size >= 8 else {
            throw SafeTensorsError.truncated("\(size) bytes, shorter than the 8-byte header length")
        }
        let n64: UInt64 = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        // A safetensors header is JSON text starting with '{'; anything else is a foreign file.
        if size > 8, data[data.startIndex + 8] != UInt8(ascii: "{") {
            throw SafeTensorsError.notSafeTensors("the header does not start with '{' (header length field \(n64))")
        }
        guard n64 <= UInt64(size - 8) else {
            if n64 > 100_000_000 {
                throw SafeTensorsError.notSafeTensors("header length \(n64) is implausible for a \(size)-byte file")
            }
            throw SafeTensorsError.truncated("header length \(n64) but only \(size - 8) bytes follow")
        }
        let n = Int(n64)
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + n))
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerBytes) } catch {
            throw SafeTensorsError.notSafeTensors("the \(n)-byte header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw SafeTensorsError.notSafeTensors("the header is not a JSON object")
        }
        let dataStart = 8 + n, dataSize = size - dataStart
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else {
                    throw SafeTensorsError.notSafeTensors("__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard let s = v as? String else {
                        throw SafeTensorsError.notSafeTensors("__metadata__['\(k)'] is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeAny = entry["shape"] as? [Any], let offAny = entry["data_offsets"] as? [Any],
                  offAny.count == 2 else {
                throw SafeTensorsError.notSafeTensors("entry '\(name)' lacks dtype/shape/data_offsets")
            }
            let shape = try shapeAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else {
                    throw SafeTensorsError.notSafeTensors("entry '\(name)' has a bad shape")
                }
                return i
            }
            let offs = try offAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else {
                    throw SafeTensorsError.notSafeTensors("entry '\(name)' has bad data_offsets")
                }
                return i
            }
            let itemSize: Int
            switch dtype {
            case "F32", "I32": itemSize = 4
            case "F64", "I64": itemSize = 8
            default: throw SafeTensorsError.unsupported("tensor '\(name)' has dtype \(dtype) (F32, F64, I32, I64 are read)")
            }
            let count = shape.reduce(1, *)
            guard offs[1] >= offs[0], offs[1] - offs[0] == count * itemSize else {
                throw SafeTensorsError.notSafeTensors(
                    "tensor '\(name)': data_offsets \(offs) hold \(offs[1] - offs[0]) bytes, shape \(shape) × \(itemSize) needs \(count * itemSize)")
            }
            guard offs[1] <= dataSize else {
                throw SafeTensorsError.truncated("tensor '\(name)' ends at byte \(offs[1]) of the data section, which has \(dataSize)")
            }
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let base = dataStart + offs[0]
                switch dtype {
                case "F32":
                    for i in 0..<count {
                        values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)))
                    }
                case "I32":
                    for i in 0..<count {
                        values[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: Int32.self)))
                    }
                case "F64":
                    for i in 0..<count {
                        values[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * i, as: UInt64.self))))
                    }
                default:  // I64
                    for i in 0..<count {
                        values[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * i, as: Int64.self)))
                    }
                }
            }
            tensors[name] = Tensor(shape: shape, data: values)
        }
        return (tensors, metadata)
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
