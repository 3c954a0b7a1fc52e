// safetensors reading/writing and the model file: round trip, clear errors for bad files.
import Foundation
import NeuralNet
import TestSupport
import XCTest

final class ModelFileTests: XCTestCase {
    func testSafeTensorsRoundTrip() throws {
        let dir = try SharedData.temporaryDirectory("nn-safetensors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        let a = Tensor(shape: [2, 3], data: [1, -2, 3.5, .infinity, -0.0, 1e-30])
        let s = Tensor(shape: [], data: [42])
        let meta = ["note": "quotes \" backslash \\ newline \n unicode é ✓", "classes": "a,b"]
        try SafeTensors.write([("a", a), ("scalar", s)], metadata: meta, to: url)
        let bytes = try Data(contentsOf: url)
        let n = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0, "header padded to a multiple of 8")
        XCTAssertEqual(bytes.count, 8 + Int(n) + 7 * 4)
        let (t, m) = try SafeTensors.read(url)
        XCTAssertEqual(t["a"], a)
        XCTAssertEqual(t["a"]!.data.map(\.bitPattern), a.data.map(\.bitPattern))
        XCTAssertEqual(t["scalar"], s)
        XCTAssertEqual(m, meta)
    }

    func testReadsKerasGoldenIncludingI64() throws {
        let (t, meta) = try Golden.load()
        XCTAssertEqual(t["y_index"]?.shape, [8])
        XCTAssertEqual(t["y_index"]!.data, t["y"].map { y in (0..<8).map { b in Float((0..<7).first { y.data[b * 7 + $0] == 1 }!) } })
        XCTAssertEqual(t["loss"]?.shape, [])
        XCTAssertNotNil(meta["tensorflow"])
        // A safetensors file that is not a model file: a clear error.
        let url = try SharedData.require("reference/keras-golden.safetensors")
        XCTAssertThrowsError(try ModelFile.load(from: url)) { e in
            print("  keras-golden as a model file → \(e)")
            XCTAssertTrue("\(e)".contains("not a model file"))
        }
    }

    func testModelFileRoundTrip() throws {
        let dir = try SharedData.temporaryDirectory("nn-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let (x, y) = toyData(count: 60, seed: 1)
        let std = Standardizer.fit(x: x, count: 60, features: 12)
        let xs = std.apply(x)
        let model = smallModel(seed: 5)
        fit(model, x: xs, y: y, xVal: xs, yVal: y, features: 12, options: FitOptions(seed: 1, batchSize: 16, epochs: 2))
        let meta = [ModelFile.classesKey: "low,middle,high", ModelFile.featurePresetKey: "toy"]
        try ModelFile.save(model, standardizer: std, metadata: meta, modelName: "small-test", to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["model.safetensors"], "no temporary file left")

        let (loaded, lstd, lmeta) = try ModelFile.load(from: url)
        XCTAssertEqual(loaded.specs, model.specs)
        XCTAssertEqual(loaded.inputShape, model.inputShape)
        XCTAssertEqual(loaded.snapshot(), model.snapshot())
        XCTAssertEqual(lstd, std)
        XCTAssertEqual(ModelFile.classNames(lmeta), ["low", "middle", "high"])
        XCTAssertEqual(lmeta[ModelFile.featurePresetKey], "toy")
        XCTAssertEqual(lmeta["standardization"]?.hasPrefix("per-feature"), true)
        XCTAssertEqual(lmeta["parameters"], String(model.parameterCount))
        let p0 = model.predictProbabilities(xs, count: 60)
        let p1 = loaded.predictProbabilities(lstd!.apply(x), count: 60)
        XCTAssertEqual(p0, p1, "the file alone reproduces the predictions")

        // Without a standardizer, and the notebook model's own architecture.
        let nb = NotebookCNN.make(seed: 3)
        try ModelFile.save(nb, metadata: meta, to: url)
        let (nb2, none, m2) = try ModelFile.load(from: url)
        XCTAssertNil(none)
        XCTAssertEqual(m2["standardization"], "none")
        XCTAssertEqual(nb2.parameterCount, 559_367)
        XCTAssertEqual(nb2.snapshot(), nb.snapshot())
        XCTAssertEqual(nb2.summary(), nb.summary())

        XCTAssertThrowsError(try ModelFile.save(nb, metadata: ["format": "x"], to: url))
    }

    /// A diverged training saves NaN weights; such a file would answer NaN for every clip while
    /// argmax still named a class. Loading it is an error naming the file and the tensor.
    func testNonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let dir = try SharedData.temporaryDirectory("nn-nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nan.safetensors")
        for bad: Float in [.nan, .infinity, -.infinity] {
            let model = smallModel(seed: 1)
            var weights = model.snapshot()
            let last = weights.count - 1
            weights[last][weights[last].count - 1] = bad
            model.restore(weights)
            try ModelFile.save(model, metadata: [:], to: url)
            XCTAssertThrowsError(try ModelFile.load(from: url), "\(bad)") { e in
                let text = "\(e)"
                XCTAssertTrue(text.hasPrefix(url.path), text)
                XCTAssertTrue(text.contains("holds \(bad) at index \(weights[last].count - 1)"), text)
                XCTAssertTrue(text.contains("finite"), text)
            }
        }
    }

    func testTruncatedAndForeignFilesGiveClearErrors() throws {
        let dir = try SharedData.temporaryDirectory("nn-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.safetensors")
        try ModelFile.save(smallModel(seed: 1), metadata: [:], to: good)
        let bytes = try Data(contentsOf: good)
        let headerEnd = 8 + Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let bad = dir.appendingPathComponent("bad.safetensors")
        for cut in [0, 5, 8, 20, headerEnd - 1, headerEnd + 3, bytes.count - 1] {
            try bytes.prefix(cut).write(to: bad)
            XCTAssertThrowsError(try ModelFile.load(from: bad), "cut at \(cut)") { e in
                print("  truncated at \(cut) of \(bytes.count) bytes → \(e)")
                let text = "\(e)"
                XCTAssertTrue(text.contains("truncated") || text.contains("not a safetensors"), text)
                XCTAssertTrue(text.contains(bad.path) || cut < 8, text)
            }
        }
        let foreign: [(String, Data)] = [
            ("png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 100)),
            ("text", Data("hello, this is not a model file at all\n".utf8)),
            ("json-array", { var d = Data(); withUnsafeBytes(of: UInt64(8).littleEndian) { d.append(contentsOf: $0) }; d.append(contentsOf: Array("[1,2,3] ".utf8)); return d }()),
        ]
        for (name, data) in foreign {
            try data.write(to: bad)
            XCTAssertThrowsError(try ModelFile.load(from: bad), name) { e in
                print("  foreign \(name) → \(e)")
                XCTAssertTrue("\(e)".contains("not a safetensors file"), "\(e)")
            }
        }
        XCTAssertThrowsError(try ModelFile.load(from: dir.appendingPathComponent("missing.safetensors"))) { e in
            print("  missing → \(e)")
            XCTAssertTrue("\(e)".contains("cannot read"))
        }
    }
}
