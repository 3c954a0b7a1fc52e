import Audio
import Foundation
import Inference
import NeuralNet
import TestSupport
import XCTest

/// `study predict` against the built executable on files that are wrong in one known way each:
/// the same definition of a readable clip as the demo and the corpus scan, and an error that
/// names the file and the problem (rc 1), never a label for audio that is not there.
extension EndToEndTests {
    /// An untrained notebook CNN with the notebook's recipe and TESS's classes.
    func untrainedModel(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("model.safetensors")
        let classes = ModelClasses(codes: ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"])
        try ModelFile.save(NotebookCNN.make(seed: 3), metadata: FeatureRecipe(preset: "librosa").metadata().merging(classes.metadata()) { a, _ in a },
                           to: url)
        return url
    }

    func testPredictRefusesWhatTheDemoRefuses() throws {
        let dir = try SharedData.temporaryDirectory("study-predict-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try untrainedModel(in: dir)
        let good = dir.appendingPathComponent("good.wav")
        try Self.sineWAV(seconds: 1.5, rate: 24414).write(to: good)
        let bytes = try Data(contentsOf: good)
        let cut = dir.appendingPathComponent("cut.wav")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let folder = dir.appendingPathComponent("folder.wav")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fifo = dir.appendingPathComponent("fifo.wav")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let slow = dir.appendingPathComponent("1hz.wav")
        try Self.sineWAV(seconds: 3200, rate: 1).write(to: slow)

        let (out, err) = try study(["predict", "--model", model.path, good.path, cut.path, folder.path, fifo.path, slow.path],
                                   expectStatus: 1)
        XCTAssertTrue(out.contains("good.wav\t"), "the good clip still gets its row: \(out)")
        for bad in [cut, folder, fifo, slow] { XCTAssertFalse(out.contains(bad.lastPathComponent), out) }
        XCTAssertTrue(err.contains("\(cut.path): the file is truncated"), err)
        XCTAssertTrue(err.contains("\(folder.path): not an audio file but a folder"), err)
        XCTAssertTrue(err.contains("\(fifo.path): not an audio file but a FIFO"), err)
        XCTAssertTrue(err.contains("\(slow.path): sample rate 1 Hz is outside 1000…384000 Hz"), err)
    }

    /// Issue 22, item 5: a float WAV whose samples are ~1e30 (its spectrum's power overflows),
    /// and a model whose network overflows (NaN probabilities for every clip): an error naming
    /// the clip, exit 1, in the table and in `--json` (valid JSON, no NaN, no Foundation error).
    func testPredictRefusesNonFiniteFeaturesAndProbabilities() throws {
        let dir = try SharedData.temporaryDirectory("study-predict-nonfinite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try untrainedModel(in: dir)
        let good = dir.appendingPathComponent("good.wav")
        try Self.sineWAV(seconds: 1.5, rate: 24414).write(to: good)
        let loud = dir.appendingPathComponent("loud.wav")
        let rate = 24414
        let samples = (0..<(2 * rate)).map { Float(4e30 * sin(2 * .pi * 180 * Double($0) / Double(rate))) }
        try AudioFile.write(samples, sampleRate: rate, format: Int32(0x010000 | 0x0006), to: loud)   // SF_FORMAT_WAV | SF_FORMAT_FLOAT

        let (out, err) = try study(["predict", "--model", model.path, good.path, loud.path], expectStatus: 1)
        XCTAssertTrue(out.contains("good.wav\t"), out)
        XCTAssertFalse(out.contains("loud.wav"), out)
        XCTAssertFalse(out.lowercased().contains("nan"), out)
        XCTAssertTrue(err.contains("\(loud.path): 40 of its features are NaN or infinite"), err)

        let (json, jsonErr) = try study(["predict", "--json", "--model", model.path, good.path, loud.path], expectStatus: 1)
        XCTAssertFalse(jsonErr.contains("Invalid number value") || jsonErr.contains("NSCocoaErrorDomain"), jsonErr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], json)
        XCTAssertEqual(rows.count, 2)
        XCTAssertNotNil(rows[0]["probabilities"], json)
        XCTAssertTrue((rows[1]["error"] as? String)?.contains("\(loud.path): 40 of its features are NaN or infinite") == true, json)

        // A network that overflows: finite weights (3e38 in the last layer), NaN probabilities.
        let network = NotebookCNN.make(seed: 3)
        let last = network.parameters.filter { $0.shape.count == 2 }.last!
        last.value.copy(from: [Float](repeating: 3e38, count: last.count))
        let overflowing = dir.appendingPathComponent("overflowing.safetensors")
        try ModelFile.save(network, metadata: FeatureRecipe(preset: "librosa").metadata()
            .merging(ModelClasses(codes: ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]).metadata()) { a, _ in a },
                           to: overflowing)
        let (nanOut, nanErr) = try study(["predict", "--model", overflowing.path, good.path], expectStatus: 1)
        XCTAssertFalse(nanOut.lowercased().contains("nan"), nanOut)
        // Inference's Predictor or the command itself refuses it; either way the clip is named.
        XCTAssertTrue(nanErr.contains("good.wav") && nanErr.lowercased().contains("nan"), nanErr)
        XCTAssertFalse(nanErr.contains("NSCocoaErrorDomain"), nanErr)
        let (nanJSON, nanJSONErr) = try study(["predict", "--json", "--model", overflowing.path, good.path], expectStatus: 1)
        XCTAssertFalse(nanJSONErr.contains("Invalid number value") || nanJSONErr.contains("NSCocoaErrorDomain"), nanJSONErr)
        let nanRows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(nanJSON.utf8)) as? [[String: Any]], nanJSON)
        XCTAssertTrue((nanRows.first?["error"] as? String)?.contains("good.wav") == true, nanJSON)
        XCTAssertNil(nanRows.first?["probabilities"], nanJSON)
    }

    func testPredictNamesANonUTF8FileAndAFullDisk() throws {
        let dir = try SharedData.temporaryDirectory("study-predict-names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try untrainedModel(in: dir)
        let good = dir.appendingPathComponent("good.wav")
        try Self.sineWAV(seconds: 1.5, rate: 24414).write(to: good)
        // A name with the byte 0xFF, made through the raw bytes (Swift strings cannot hold it).
        let raw = Array(dir.path.utf8) + Array("/OAF_x".utf8) + [0xFF] + Array("_angry.wav".utf8)
        XCTAssertEqual(symlink(good.path, raw.map { CChar(bitPattern: $0) } + [0]), 0)
        // Process takes String arguments, so the raw name goes through a shell glob.
        let (status, _, e) = try BuiltProduct.run(URL(fileURLWithPath: "/bin/sh"),
                                                  ["-c", "\"$0\" predict --model \"$1\" \"$2\"/OAF_x*_angry.wav",
                                                   Self.studyBinary.path, model.path, dir.path])
        XCTAssertEqual(status, 1, e)
        XCTAssertTrue(e.contains("OAF_x\\xFF_angry.wav: the file name is not valid UTF-8"), e)

        // Standard output on a full disk (/dev/full answers every write with ENOSPC).
        let (qStatus, _, qe) = try BuiltProduct.run(Self.studyBinary, ["predict", "--model", model.path, good.path],
                                                    standardOutput: try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full")))
        XCTAssertEqual(qStatus, 1, qe)
        XCTAssertTrue(qe.contains("standard output: cannot write (\(String(cString: strerror(ENOSPC))))"), qe)
        XCTAssertTrue(qe.contains("is full"), qe)
    }

    /// `synthesize` into a folder holding a larger corpus it wrote removes the clips the new
    /// manifest no longer lists, and nothing it did not write.
    func testSynthesizeRemovesOnlyItsOwnStaleClips() throws {
        let dir = try SharedData.temporaryDirectory("study-synth-stale")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("T")
        try study(["synthesize", "--output", corpus.path, "--words", "2", "-q"])
        let mine = corpus.appendingPathComponent("SOF_angry/my-own-recording.wav")
        try Data("keep me".utf8).write(to: mine)
        try study(["synthesize", "--output", corpus.path, "--words", "1", "-q"])
        let wavs = FileManager.default.enumerator(atPath: corpus.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".wav") }
        XCTAssertEqual(wavs.count, 14 + 1, "2 speakers × 7 emotions × 1 word, plus the user's own file: \(wavs.sorted())")
        XCTAssertTrue(FileManager.default.fileExists(atPath: mine.path))
    }
}
