import Base
import Foundation
import NeuralNet

/// Fuzz of the model reader (`ModelFile.load`, on `SafeTensors.File`). Two small valid model
/// files (a CNN with a standardizer, a dense network without) are written by the project's own
/// writer; each case mutates one of them and loads it:
///   - bytes anywhere (`Mutate.bytes`);
///   - a number in the header's JSON text (the architecture's too) replaced by an extreme token;
///   - the header's structure: a key removed or renamed, a layer removed, repeated or added,
///     a tensor's dtype, shape or offsets changed;
///   - the header length field replaced by an extreme value;
///   - a weight's bytes replaced by NaN/inf or a huge float;
///   - the file extended to 1 GiB (sparse, never written) behind a valid or huge header.
/// Every case must end in a model (which then predicts two rows without trapping) or an error
/// naming the file, within the time bound.
enum SafeTensorsFuzz {
    static let target = FuzzTarget(name: "safetensors") { rng, cases, scratch, report in
        let bases: [[UInt8]]
        do { bases = try baseFiles(scratch) } catch {
            report.fail("cannot write the valid model files: \(error)")
            return
        }
        let url = scratch.appendingPathComponent("case.safetensors")
        var i = 0
        while i < cases, report.more() {
            let base = Mutate.pick(bases, &rng)
            let kind = Int(rng.next() % 100)
            var sparse = false
            let bytes: [UInt8]
            let label: String
            switch kind {
            case 0..<30:
                label = "case \(i) (bytes)"; bytes = Mutate.bytes(base, &rng)
            case 30..<55:
                label = "case \(i) (header number)"; bytes = mutateNumber(base, &rng)
            case 55..<75:
                label = "case \(i) (header structure)"; bytes = mutateStructure(base, &rng)
            case 75..<83:
                label = "case \(i) (header length)"; bytes = mutateLength(base, &rng)
            case 83..<93:
                label = "case \(i) (weights)"; bytes = mutateWeights(base, &rng)
            case 93..<97:
                label = "case \(i) (header and bytes)"; bytes = Mutate.bytes(mutateNumber(base, &rng), &rng)
            default:
                label = "case \(i) (1 GiB sparse)"; sparse = true
                bytes = rng.next() % 2 == 0 ? base : mutateLength(base, &rng)
            }
            i += 1
            do {
                try Data(bytes).write(to: url)
                if sparse {
                    let h = try FileHandle(forWritingTo: url)
                    try h.truncate(atOffset: 1 << 30)
                    try h.close()
                }
            } catch {
                report.fail("\(label): cannot write the case: \(error)")
                continue
            }
            report.timed(label) {
                do {
                    let loaded = try ModelFile.load(from: url)
                    let model = loaded.model
                    // Two rows through the network: an accepted model must run. (Huge but finite
                    // weights may still overflow to NaN probabilities; that is the predictor's to say.)
                    let p = model.predictProbabilities([Float](repeating: 0.5, count: 2 * model.inputSize), count: 2)
                    if p.count != 2 * model.classes { report.fail("\(label): \(p.count) probabilities for \(model.classes) classes") }
                    if let s = loaded.standardizer, s.features != model.inputSize {
                        report.fail("\(label): a standardizer of \(s.features) for \(model.inputSize) inputs")
                    }
                    report.accept()
                } catch {
                    report.refuse(error, mustName: url.lastPathComponent, case: label)
                }
            }
        }
    }

    // MARK: - The valid inputs

    /// A small CNN with a standardizer and a dense network without, as the writer saves them.
    static func baseFiles(_ scratch: URL) throws -> [[UInt8]] {
        let cnn = Sequential(inputShape: [12, 1], specs: [
            .conv1D(filters: 4, kernelSize: 5, activation: .relu),
            .maxPool1D(poolSize: 3, stride: 2),
            .dropout(rate: 0.2),
            .conv1D(filters: 3, kernelSize: 3, activation: .relu),
            .flatten,
            .dense(units: 3, activation: .softmax),
        ], seed: 7)
        let dense = Sequential(inputShape: [6], specs: [
            .dense(units: 5, activation: .relu),
            .dense(units: 2, activation: .softmax),
        ], seed: 8)
        let std = Standardizer(mean: (0..<12).map { Float($0) / 3 }, std: (0..<12).map { 1 + Float($0) / 7 })
        let meta = ["classes": "low,middle,high", "feature_recipe": "{\"duration\":3,\"nMFCC\":12,\"offset\":0.5,\"preset\":\"notebook\",\"sampleRate\":22050,\"standardization\":\"per-coefficient\"}"]
        let a = scratch.appendingPathComponent("base-cnn.safetensors"), b = scratch.appendingPathComponent("base-dense.safetensors")
        try ModelFile.save(cnn, standardizer: std, metadata: meta, to: a)
        try ModelFile.save(dense, metadata: ["classes": "yes,no"], to: b)
        return [[UInt8](try Data(contentsOf: a)), [UInt8](try Data(contentsOf: b))]
    }

    // MARK: - Pieces of a file

    /// Header length field, header JSON text, data section (of a file the writer made).
    static func split(_ file: [UInt8]) -> (header: [UInt8], data: [UInt8]) {
        var n = 0
        for k in 0..<8 { n |= Int(file[k]) << (8 * k) }
        return (Array(file[8..<(8 + n)]), Array(file[(8 + n)...]))
    }

    /// A file from header text (padded to 8 bytes) and data; `length` overrides the length field.
    static func assemble(_ header: [UInt8], _ data: [UInt8], length: UInt64? = nil) -> [UInt8] {
        var h = header
        while h.count % 8 != 0 { h.append(UInt8(ascii: " ")) }
        let n = length ?? UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + h + data
    }

    static let extremeNumbers = [
        "0", "-0", "-1", "-5", "1", "2", "3", "7", "2147483647", "2147483648", "-2147483648", "4294967296",
        "1099511627776", "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999999", "1e30", "1e999", "-1e999", "1E-400",
        "0.5", "1.5", "0.99999999", "1.0", "NaN", "Infinity", "null", "true", "\"8\"", "[]", "{}", "0x10", "01",
    ]

    /// A number in the header's JSON text (a shape, an offset, or a value inside the
    /// architecture's JSON string) replaced by an extreme token.
    static func mutateNumber(_ file: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        let (header, data) = split(file)
        var runs: [Range<Int>] = []
        var i = 0
        while i < header.count {
            let isDigit = header[i] >= UInt8(ascii: "0") && header[i] <= UInt8(ascii: "9")
            if isDigit || (header[i] == UInt8(ascii: "-") && i + 1 < header.count && header[i + 1] >= UInt8(ascii: "0") && header[i + 1] <= UInt8(ascii: "9")) {
                var j = i + 1
                while j < header.count, (header[j] >= UInt8(ascii: "0") && header[j] <= UInt8(ascii: "9")) || header[j] == UInt8(ascii: ".") { j += 1 }
                runs.append(i..<j)
                i = j
            } else {
                i += 1
            }
        }
        guard !runs.isEmpty else { return file }
        var h = header
        for _ in 0..<(1 + Int(rng.next() % 2)) {
            let r = Mutate.pick(runs, &rng)
            guard r.upperBound <= h.count else { continue }
            h.replaceSubrange(r, with: Array(Mutate.pick(extremeNumbers, &rng).utf8))
            break
        }
        return assemble(trimmed(h), data)
    }

    /// The header without its padding (so that `assemble` pads it again).
    static func trimmed(_ h: [UInt8]) -> [UInt8] {
        var end = h.count
        while end > 0, h[end - 1] == UInt8(ascii: " ") { end -= 1 }
        return Array(h[..<end])
    }

    /// The header's structure edited through JSON: keys removed or renamed, layers removed,
    /// repeated or added, tensor entries' dtype, shape or offsets changed.
    static func mutateStructure(_ file: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        let (header, data) = split(file)
        guard var top = (try? JSONSerialization.jsonObject(with: Data(header))) as? [String: Any] else { return file }
        var meta = top["__metadata__"] as? [String: Any] ?? [:]
        let tensorNames = top.keys.filter { $0 != "__metadata__" }.sorted()
        switch rng.next() % 8 {
        case 0:   // remove a top-level key (a tensor or the metadata)
            top.removeValue(forKey: Mutate.pick(Array(top.keys).sorted(), &rng))
        case 1:   // remove or blank a metadata key
            let k = Mutate.pick(meta.keys.sorted(), &rng)
            if rng.next() % 2 == 0 { meta.removeValue(forKey: k) } else { meta[k] = "" }
            top["__metadata__"] = meta
        case 2:   // a tensor entry loses a field, or a field gets the wrong JSON type
            let name = Mutate.pick(tensorNames, &rng)
            var e = top[name] as? [String: Any] ?? [:]
            let field = Mutate.pick(["dtype", "shape", "data_offsets"], &rng)
            if rng.next() % 2 == 0 { e.removeValue(forKey: field) } else { e[field] = Mutate.pick([NSNull(), "x", 3, [String: Any](), [[1]]] as [Any], &rng) }
            top[name] = e
        case 3:   // another dtype
            let name = Mutate.pick(tensorNames, &rng)
            var e = top[name] as? [String: Any] ?? [:]
            e["dtype"] = Mutate.pick(["F32", "F64", "I32", "I64", "F16", "BF16", "BOOL", "U8", "", "f32"], &rng)
            top[name] = e
        case 4:   // another shape
            let name = Mutate.pick(tensorNames, &rng)
            var e = top[name] as? [String: Any] ?? [:]
            let old = e["shape"] as? [Int] ?? []
            let shapes: [[Int]] = [[], [0], [-1], old.reversed(), old + [1], [1] + old, Array(old.dropLast()),
                                   [1 << 32, 1 << 32], [1 << 31, 1 << 31], [Int.max], [Int.max, 2], Array(repeating: 1, count: 9),
                                   old.map { $0 * 2 }, [old.reduce(1, *)]]
            e["shape"] = Mutate.pick(shapes, &rng)
            top[name] = e
        case 5:   // other offsets
            let name = Mutate.pick(tensorNames, &rng)
            var e = top[name] as? [String: Any] ?? [:]
            let old = e["data_offsets"] as? [Int] ?? [0, 0]
            let other = (top[Mutate.pick(tensorNames, &rng)] as? [String: Any])?["data_offsets"] as? [Int] ?? [0, 0]
            let offsets: [[Int]] = [other, [old[1], old[0]], [old[0], old[1] + 4], [old[0] + 4, old[1] + 4], [old[0], old[1] - 4],
                                    [0, data.count], [data.count, data.count + 4], [Int.max - 8, Int.max], [-4, old[1]], [old[0]],
                                    [old[0], old[1], old[1]]]
            e["data_offsets"] = Mutate.pick(offsets, &rng)
            top[name] = e
        default:  // the architecture: layers removed, repeated, swapped or added
            guard let text = meta["architecture"] as? String,
                  var arch = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                  var layers = arch["layers"] as? [Any], !layers.isEmpty else { break }
            let j = Int(rng.next() % UInt64(layers.count))
            switch rng.next() % 5 {
            case 0: layers.remove(at: j)
            case 1: layers.insert(layers[j], at: j)
            case 2: layers.swapAt(j, Int(rng.next() % UInt64(layers.count)))
            case 3:
                let added: [[String: Any]] = [
                    ["conv1D": ["filters": Int(rng.next() % 9), "kernelSize": Int(rng.next() % 9) - 1, "activation": "relu"]],
                    ["maxPool1D": ["poolSize": Int(rng.next() % 5), "stride": Int(rng.next() % 5)]],
                    ["dropout": ["rate": Mutate.pick([0.0, 0.5, 1.0, -0.1, 2.0], &rng)]],
                    ["flatten": [String: Any]()],
                    ["dense": ["units": Int(rng.next() % 9), "activation": "softmax"]],
                    ["lstm": ["units": 3]],
                ]
                layers.insert(Mutate.pick(added, &rng), at: j)
            default:
                arch["inputShape"] = Mutate.pick([[12], [12, 1, 1], [], [13, 1], [6, 2], [0, 1], [65_536, 1], [6]] as [[Int]], &rng)
            }
            if rng.next() % 8 == 0 { layers = Array(repeating: layers[0], count: 65 + Int(rng.next() % 10)) }
            arch["layers"] = layers
            guard let json = try? JSONSerialization.data(withJSONObject: arch, options: [.sortedKeys]) else { break }
            meta["architecture"] = String(decoding: json, as: UTF8.self)
            top["__metadata__"] = meta
        }
        guard let out = try? JSONSerialization.data(withJSONObject: top, options: [.sortedKeys]) else { return file }
        return assemble([UInt8](out), data)
    }

    /// The header length field replaced by an extreme value (the rest unchanged).
    static func mutateLength(_ file: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        let size = UInt64(file.count), cap = UInt64(SafeTensors.maxHeaderBytes)
        let lengths: [UInt64] = [0, 1, 2, 7, size - 8, size - 7, size, cap, cap + 1, (1 << 30) - 8, 1 << 32, UInt64(Int.max),
                                 UInt64(Int.max) + 1, UInt64.max, UInt64.max - 7, rng.next()]
        var n = Mutate.pick(lengths, &rng)
        if rng.next() % 4 == 0 {   // near the real length
            var real: UInt64 = 0
            for k in 0..<8 { real |= UInt64(file[k]) << (8 * UInt64(k)) }
            n = real &+ UInt64(bitPattern: Int64(Int(rng.next() % 17) - 8))
        }
        var out = file
        for k in 0..<8 { out[k] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(k))) }
        return out
    }

    /// One weight (a 4-byte F32 in the data section) replaced by NaN, ±inf, a signalling NaN,
    /// the largest float or a subnormal.
    static func mutateWeights(_ file: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        let (header, data) = split(file)
        guard data.count >= 4 else { return file }
        var d = data
        let i = 4 * Int(rng.next() % UInt64(data.count / 4))
        let bits: UInt32 = Mutate.pick([Float.nan.bitPattern, Float.infinity.bitPattern, (-Float.infinity).bitPattern,
                                        0x7f80_0001, Float.greatestFiniteMagnitude.bitPattern, 1, 0x8000_0000,
                                        (-Float.greatestFiniteMagnitude).bitPattern], &rng)
        for k in 0..<4 { d[i + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k))) }
        return assemble(trimmed(header), d)
    }
}
