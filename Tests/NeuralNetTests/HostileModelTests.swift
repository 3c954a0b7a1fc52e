// A hostile model file (issue 22, item 3): every edit of a valid model's header, architecture,
// shapes, offsets or dtypes is a thrown error naming the file and the field, never a trap and
// never an allocation the file's own size (or the architecture limits) does not justify.
import Foundation
import NeuralNet
import TestSupport
import XCTest

final class HostileModelTests: XCTestCase {
    var folder: URL!
    var good: URL!

    override func setUpWithError() throws {
        folder = try SharedData.temporaryDirectory("nn-hostile")
        good = folder.appendingPathComponent("good.safetensors")
        // smallModel: conv1d(8,5) pool dropout conv1d(8,5) pool flatten dense(16) dropout dense(3), input [12, 1].
        try ModelFile.save(smallModel(seed: 1), metadata: ["classes": "a,b,c"], to: good)
        XCTAssertNoThrow(try ModelFile.load(from: good))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    // MARK: - Editing a model file

    /// The file's header (parsed) and its data section.
    func parts(_ url: URL) throws -> (header: [String: Any], data: Data) {
        let bytes = try Data(contentsOf: url)
        let n = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        return (header, bytes.subdata(in: (8 + n)..<bytes.count))
    }

    /// A file made of a header (JSON, padded) and a data section; `length` overrides the length field.
    func assemble(_ header: [String: Any], _ data: Data, length: UInt64? = nil) throws -> Data {
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + json + data
    }

    /// Writes `name` from the good file with its header edited.
    func edited(_ name: String, _ edit: (inout [String: Any]) throws -> Void) throws -> URL {
        var (header, data) = try parts(good)
        try edit(&header)
        let url = folder.appendingPathComponent(name)
        try assemble(header, data).write(to: url)
        return url
    }

    /// Writes `name` from the good file with its `architecture` metadata edited.
    func architecture(_ name: String, _ edit: (inout [String: Any]) throws -> Void) throws -> URL {
        try edited(name) { header in
            var meta = header["__metadata__"] as! [String: Any]
            var arch = try JSONSerialization.jsonObject(with: Data((meta["architecture"] as! String).utf8)) as! [String: Any]
            try edit(&arch)
            meta["architecture"] = String(decoding: try JSONSerialization.data(withJSONObject: arch, options: [.sortedKeys]), as: UTF8.self)
            header["__metadata__"] = meta
        }
    }

    /// Sets `field` of layer `i` (e.g. layer 0, "conv1D", "filters") in an architecture.
    func set(_ arch: inout [String: Any], layer i: Int, _ kind: String, _ field: String, _ value: Any) {
        var layers = arch["layers"] as! [[String: Any]]
        var body = layers[i][kind] as! [String: Any]
        body[field] = value
        layers[i] = [kind: body]
        arch["layers"] = layers
    }

    /// Sets a tensor entry's field in a header.
    func setEntry(_ header: inout [String: Any], _ name: String, _ field: String, _ value: Any) {
        var e = header[name] as! [String: Any]
        e[field] = value
        header[name] = e
    }

    /// Loading `url` throws an error whose message names the file and contains every one of `expected`.
    func assertRefused(_ url: URL, _ expected: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile.load(from: url), file: file, line: line) { e in
            let text = "\(e)"
            print("  \(url.lastPathComponent) → \(text)")
            XCTAssertTrue(text.contains(url.lastPathComponent), "does not name the file: \(text)", file: file, line: line)
            for x in expected { XCTAssertTrue(text.contains(x), "lacks '\(x)': \(text)", file: file, line: line) }
        }
    }

    // MARK: - The architecture metadata

    func testFirstConvFiltersInt32MaxIsRefused() throws {
        let url = try architecture("filters.safetensors") { set(&$0, layer: 0, "conv1D", "filters", 2_147_483_647) }
        assertRefused(url, "architecture layers[0] (conv1d) filters 2147483647 is above the limit 4096")
    }

    func testKernelSizeNegativeOrZeroIsRefused() throws {
        for k in [-5, 0] {
            let url = try architecture("kernel\(k).safetensors") { set(&$0, layer: 0, "conv1D", "kernelSize", k) }
            assertRefused(url, "layers[0] (conv1d) kernelSize \(k) is below the minimum 1")
        }
        let url = try architecture("kernel-big.safetensors") { set(&$0, layer: 3, "conv1D", "kernelSize", 1 << 40) }
        assertRefused(url, "layers[3] (conv1d) kernelSize 1099511627776 is above the limit 64")
    }

    func testHugeDenseUnitsAreRefused() throws {
        let url = try architecture("units.safetensors") { set(&$0, layer: 8, "dense", "units", 1 << 40) }
        assertRefused(url, "layers[8] (dense) units 1099511627776 is above the limit 65536")
        let neg = try architecture("units-neg.safetensors") { set(&$0, layer: 6, "dense", "units", -1) }
        assertRefused(neg, "layers[6] (dense) units -1 is below the minimum 1")
    }

    func testOtherArchitectureValuesOutsideTheLimitsAreRefused() throws {
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("pool0", { self.set(&$0, layer: 1, "maxPool1D", "poolSize", 0) }, "layers[1] (max_pooling1d) poolSize 0 is below the minimum 1"),
            ("stride0", { self.set(&$0, layer: 1, "maxPool1D", "stride", 0) }, "layers[1] (max_pooling1d) stride 0 is below the minimum 1"),
            ("stride-huge", { self.set(&$0, layer: 4, "maxPool1D", "stride", Int.max) }, "stride \(Int.max) is above the limit 64"),
            ("dropout1", { self.set(&$0, layer: 2, "dropout", "rate", 1.0) }, "layers[2] (dropout) rate 1.0 is outside [0, 1)"),
            ("dropout-neg", { self.set(&$0, layer: 2, "dropout", "rate", -0.5) }, "rate -0.5 is outside [0, 1)"),
            ("input-long", { $0["inputShape"] = [1 << 40, 1] }, "inputShape[0] 1099511627776 is above the limit 65536"),
            ("input-zero", { $0["inputShape"] = [12, 0] }, "inputShape[1] 0 is below the minimum 1"),
            ("input-empty", { $0["inputShape"] = [Int]() }, "inputShape is empty"),
            ("input-size", { $0["inputShape"] = [65_536, 2] }, "values per sample 131072 is above the limit 65536"),
            ("no-layers", { $0["layers"] = [Any]() }, "architecture has no layers"),
            ("many-layers", { $0["layers"] = Array(repeating: ["dropout": ["rate": 0.1]] as [String: Any], count: 65) },
             "has 65 layers, above the limit 64"),
            ("not-flat", { $0["layers"] = Array(($0["layers"] as! [Any]).prefix(5)) }, "layers[4] (max_pooling1d) outputs [3, 8], not a flat vector"),
            ("dense-on-sequence", { $0["layers"] = [["dense": ["units": 3, "activation": "softmax"]]] },
             "layers[0] (dense) needs a flat (features) input, but the layer before gives [12, 1]"),
            ("conv-on-flat", { $0["layers"] = [["flatten": [String: Any]()], ["conv1D": ["filters": 2, "kernelSize": 1, "activation": "relu"]]] },
             "layers[1] (conv1d) needs a (length, channels) input"),
            ("parameters", { arch in
                self.set(&arch, layer: 0, "conv1D", "filters", 4096)
                self.set(&arch, layer: 3, "conv1D", "filters", 4096)
                self.set(&arch, layer: 3, "conv1D", "kernelSize", 64)
            }, "layers[3] (conv1d) brings the parameter count above the limit 50000000"),
            ("im2col", { arch in
                arch["inputShape"] = [65_536, 1]
                self.set(&arch, layer: 0, "conv1D", "filters", 4096)
                self.set(&arch, layer: 0, "conv1D", "kernelSize", 1)
            }, "layers[0] (conv1d) outputs [65536, 4096] = 268435456 values per sample, above the limit"),
            ("unknown-layer", { $0["layers"] = [["lstm": ["units": 3]]] }, "cannot parse the 'architecture' metadata: layers[0] is not a layer (one of conv1D"),
            ("filters-string", { self.set(&$0, layer: 0, "conv1D", "filters", "many") }, "cannot parse the 'architecture' metadata: layers[0].conv1D.filters is not an integer"),
            ("filters-1e30", { self.set(&$0, layer: 0, "conv1D", "filters", 1e30) },
             "cannot parse the 'architecture' metadata: layers[0].conv1D.filters is 1e+30, not an integer"),
            ("units-2.5", { self.set(&$0, layer: 8, "dense", "units", 2.5) },
             "cannot parse the 'architecture' metadata: layers[8].dense.units is 2.5, not an integer"),
            ("activation", { self.set(&$0, layer: 8, "dense", "activation", "tanh") }, "layers[8].dense.activation"),
        ]
        for (name, edit, expected) in cases {
            assertRefused(try architecture("\(name).safetensors", edit), expected)
        }
    }

    func testDeeplyNestedOrHugeArchitectureIsRefused() throws {
        let deep = try edited("deep.safetensors") { header in
            var meta = header["__metadata__"] as! [String: Any]
            meta["architecture"] = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
            header["__metadata__"] = meta
        }
        assertRefused(deep, "'architecture' metadata")
        let big = try edited("big-arch.safetensors") { header in
            var meta = header["__metadata__"] as! [String: Any]
            meta["architecture"] = String(repeating: " ", count: 2 << 20) + "{}"
            header["__metadata__"] = meta
        }
        assertRefused(big, "the 'architecture' metadata has 2097154 bytes, above the limit 1048576")
    }

    func testArchitectureThatDoesNotMatchTheTensorsIsRefused() throws {
        // Valid, within limits, but not what the tensors hold.
        let filters = try architecture("filters16.safetensors") { set(&$0, layer: 0, "conv1D", "filters", 16) }
        assertRefused(filters, "tensor 'conv1d_0.kernel' has shape [5, 1, 8], architecture layers[0] (conv1d) implies [5, 1, 16]")
        let units = try architecture("units4.safetensors") { set(&$0, layer: 8, "dense", "units", 4) }
        assertRefused(units, "tensor 'dense_1.kernel' has shape [16, 3], architecture layers[8] (dense) implies [16, 4]")
        let input = try architecture("input13.safetensors") { $0["inputShape"] = [13, 1] }
        assertRefused(input, "tensor 'dense_0.kernel' has shape [24, 16], architecture layers[6] (dense) implies [32, 16]")
        let renamed = try edited("renamed.safetensors") { h in h["other.bias"] = h.removeValue(forKey: "dense_1.bias") }
        assertRefused(renamed, "tensor 'dense_1.bias' is missing (architecture layers[8] (dense) needs it, shape [3])")
        let reshaped = try edited("reshaped.safetensors") { h in self.setEntry(&h, "dense_0.kernel", "shape", [16, 24]) }
        assertRefused(reshaped, "tensor 'dense_0.kernel' has shape [16, 24], architecture layers[6] (dense) implies [24, 16]")
    }

    // MARK: - The header length

    func testHeaderLengthOfTheWholeFileIsRefused() throws {
        let (header, data) = try parts(good)
        let size = try assemble(header, data).count
        let url = folder.appendingPathComponent("length-size.safetensors")
        try assemble(header, data, length: UInt64(size - 8)).write(to: url)
        assertRefused(url, "the \(size - 8)-byte header is not valid JSON")
        for (name, length) in [("length-over", UInt64(size - 7)), ("length-max", UInt64.max), ("length-2^63", UInt64(1) << 63)] {
            let u = folder.appendingPathComponent("\(name).safetensors")
            try assemble(header, data, length: length).write(to: u)
            assertRefused(u, "header length \(length)")
        }
        let short = folder.appendingPathComponent("length-0.safetensors")
        try assemble(header, data, length: 0).write(to: short)
        assertRefused(short, "header length 0 is too short")
    }

    func testHeaderLengthAboveTheCapIsRefusedUnread() throws {
        let (header, data) = try parts(good)
        let url = folder.appendingPathComponent("length-cap.safetensors")
        let length = UInt64(SafeTensors.maxHeaderBytes + 1)
        try assemble(header, data, length: length).write(to: url)
        assertRefused(url, "header length \(length) is above the limit \(SafeTensors.maxHeaderBytes) bytes")
    }

    /// A 1 GB sparse file (its hole never written) with a header declaring nearly all of it, or a
    /// valid header followed by the hole: refused at once, without reading or allocating it.
    func testSparseGigabyteFileIsRefusedWithoutAllocating() throws {
        let (header, data) = try parts(good)
        let gigabyte: UInt64 = 1 << 30
        func sparse(_ name: String, length: UInt64?) throws -> URL {
            let url = folder.appendingPathComponent(name)
            try assemble(header, data, length: length).write(to: url)
            let h = try FileHandle(forWritingTo: url)
            try h.truncate(atOffset: gigabyte)
            try h.close()
            return url
        }
        let rss0 = maxRSS()
        let t0 = Date()
        assertRefused(try sparse("sparse-header.safetensors", length: gigabyte - 8),
                      "header length \(gigabyte - 8) is above the limit \(SafeTensors.maxHeaderBytes)")
        assertRefused(try sparse("sparse-tail.safetensors", length: nil), "bytes after them belong to no tensor")
        XCTAssertThrowsError(try SafeTensors.read(folder.appendingPathComponent("sparse-tail.safetensors")))
        // One tensor declared over the whole hole: the shapes are checked before it is read.
        let (_, small) = try parts(good)
        var whole = header
        let begin = small.count - 12, count = Int(gigabyte) / 4
        setEntry(&whole, "dense_1.bias", "shape", [count])
        setEntry(&whole, "dense_1.bias", "data_offsets", [begin, begin + 4 * count])
        var json = try JSONSerialization.data(withJSONObject: whole, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        let hole = folder.appendingPathComponent("sparse-tensor.safetensors")
        var prefix = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { prefix.append(contentsOf: $0) }
        try (prefix + json + small).write(to: hole)
        let h = try FileHandle(forWritingTo: hole)
        try h.truncate(atOffset: UInt64(8 + json.count + begin + 4 * count))
        try h.close()
        assertRefused(hole, "tensor 'dense_1.bias' has shape [268435456], architecture layers[8] (dense) implies [3]")
        let seconds = Date().timeIntervalSince(t0)
        XCTAssertLessThan(seconds, 2, "refusing sparse files took \(seconds) s")
        let grown = maxRSS() - rss0
        XCTAssertLessThan(grown, 200 << 20, "the peak resident size grew by \(grown >> 20) MB")
    }

    func maxRSS() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    // MARK: - Tensor entries

    func testShapesThatOverflowOrAreNegativeAreRefused() throws {
        let overflow = try edited("shape-overflow.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", [1 << 32, 1 << 32]) }
        assertRefused(overflow, "tensor 'conv1d_0.bias': shape [4294967296, 4294967296] has more elements than an Int holds")
        let bytes = try edited("bytes-overflow.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", [1 << 31, 1 << 31]) }
        assertRefused(bytes, "tensor 'conv1d_0.bias': shape [2147483648, 2147483648] × 4 bytes overflows an Int")
        let negative = try edited("shape-negative.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", [-8]) }
        assertRefused(negative, "tensor 'conv1d_0.bias': shape dimension 0 is -8")
        let negPair = try edited("shape-negpair.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", [-2, -4]) }
        assertRefused(negPair, "shape dimension 0 is -2")
        let rank = try edited("shape-rank.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", Array(repeating: 1, count: 9)) }
        assertRefused(rank, "tensor 'conv1d_0.bias': shape has 9 dimensions, above the limit 8")
        let huge = try edited("shape-1e30.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", [1e30]) }
        assertRefused(huge, "entry 'conv1d_0.bias' shape[0] is 1e+30, not an integer in Int's range")
        let text = try edited("shape-text.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "shape", "8") }
        assertRefused(text, "entry 'conv1d_0.bias' shape is not a JSON array")
    }

    func testOffsetsOutOfRangeOverlappingOrNotMatchingTheDtypeAreRefused() throws {
        let (header, data) = try parts(good)
        let entry = header["conv1d_0.bias"] as! [String: Any]
        let offsets = entry["data_offsets"] as! [Int]   // 8 F32 values
        let beyond = try edited("offsets-beyond.safetensors") { h in
            self.setEntry(&h, "conv1d_0.bias", "data_offsets", [data.count, data.count + 32])
        }
        assertRefused(beyond, "tensor 'conv1d_0.bias' ends at byte \(data.count + 32) of the data section, which has \(data.count)")
        let huge = try edited("offsets-huge.safetensors") { h in
            self.setEntry(&h, "conv1d_0.bias", "data_offsets", [Int.max - 32, Int.max])
        }
        assertRefused(huge, "tensor 'conv1d_0.bias' ends at byte \(Int.max)")
        let reversed = try edited("offsets-reversed.safetensors") { h in
            self.setEntry(&h, "conv1d_0.bias", "data_offsets", [offsets[1], offsets[0]])
        }
        assertRefused(reversed, "tensor 'conv1d_0.bias': data_offsets [\(offsets[1]), \(offsets[0])] are not an ascending pair")
        let negative = try edited("offsets-negative.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "data_offsets", [-32, 0]) }
        assertRefused(negative, "data_offsets [-32, 0] are not an ascending pair")
        let three = try edited("offsets-three.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "data_offsets", [0, 32, 64]) }
        assertRefused(three, "tensor 'conv1d_0.bias': data_offsets has 3 numbers, not 2")
        // conv1d_1.bias (also 8 values) moved onto conv1d_0.bias's bytes: overlap (and a gap).
        let overlap = try edited("offsets-overlap.safetensors") { h in self.setEntry(&h, "conv1d_1.bias", "data_offsets", offsets) }
        assertRefused(overlap, "overlap another tensor's bytes")
        let size = try edited("offsets-size.safetensors") { h in
            self.setEntry(&h, "conv1d_0.bias", "data_offsets", [offsets[0], offsets[1] - 4])
        }
        assertRefused(size, "tensor 'conv1d_0.bias': data_offsets [\(offsets[0]), \(offsets[1] - 4)] hold 28 bytes, shape [8] × 4 needs 32")
        let f64 = try edited("dtype-f64.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "dtype", "F64") }
        assertRefused(f64, "tensor 'conv1d_0.bias': data_offsets [\(offsets[0]), \(offsets[1])] hold 32 bytes, shape [8] × 8 needs 64")
        let f16 = try edited("dtype-f16.safetensors") { h in self.setEntry(&h, "conv1d_0.bias", "dtype", "F16") }
        assertRefused(f16, "tensor 'conv1d_0.bias' has dtype F16 (F32, F64, I32, I64 are read)")
        let noDtype = try edited("dtype-none.safetensors") { h in
            var e = h["conv1d_0.bias"] as! [String: Any]; e.removeValue(forKey: "dtype"); h["conv1d_0.bias"] = e
        }
        assertRefused(noDtype, "entry 'conv1d_0.bias' lacks 'dtype'")
    }

    func testNonFiniteWeightWrittenIntoTheBytesIsRefused() throws {
        let (header, data) = try parts(good)
        let begin = ((header["dense_0.kernel"] as! [String: Any])["data_offsets"] as! [Int])[0]
        for (name, bits) in [("nan", Float.nan.bitPattern), ("inf", Float.infinity.bitPattern), ("snan", UInt32(0x7f80_0001))] {
            var d = data
            withUnsafeBytes(of: bits.littleEndian) { d.replaceSubrange((begin + 20)..<(begin + 24), with: $0) }
            let url = folder.appendingPathComponent("\(name).safetensors")
            try assemble(header, d).write(to: url)
            assertRefused(url, "tensor 'dense_0.kernel' holds", "at index 5; a model needs finite weights")
        }
    }

    func testNotARegularFileIsRefused() throws {
        let dir = folder.appendingPathComponent("dir.safetensors")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        assertRefused(dir, "it is a folder")
        let fifo = folder.appendingPathComponent("fifo.safetensors")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        assertRefused(fifo, "FIFO")   // and does not wait for a writer
    }

    /// The files the writer makes still load, and the in-memory decoder agrees with the file reader.
    func testValidFilesStillLoad() throws {
        let (model, _, meta) = try ModelFile.load(from: good)
        XCTAssertEqual(meta["classes"], "a,b,c")
        XCTAssertEqual(model.snapshot(), smallModel(seed: 1).snapshot())
        let decoded = try SafeTensors.decode(Data(contentsOf: good))
        let read = try SafeTensors.read(good)
        XCTAssertEqual(decoded.tensors, read.tensors)
        XCTAssertEqual(decoded.metadata, read.metadata)
    }
}
