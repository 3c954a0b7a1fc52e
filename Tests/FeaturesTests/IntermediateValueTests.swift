import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// Each step of the chain against librosa's intermediate values for one real clip
/// (`reference/librosa-mfcc.json`), and the notebook's own printed feature vector.
final class IntermediateValueTests: XCTestCase {
    func referenceFile(_ path: String) throws -> (url: URL, json: [String: Any]) {
        let ref = try SharedData.require("reference/librosa-mfcc.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: ref)) as! [String: Any]
        let files = object["files"] as! [[String: Any]]
        let file = try XCTUnwrap(files.first { $0["path"] as? String == path })
        return (SharedData.root.appendingPathComponent("tess-sample").appendingPathComponent(path), file)
    }

    func floats(_ any: Any?) -> [Float] { (any as! [NSNumber]).map { $0.floatValue } }

    func assertClose(_ a: [Float], _ b: [Float], relative: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(x, y, accuracy: relative * max(abs(y), 1e-6), "\(what)[\(i)]", file: file, line: line)
        }
    }

    func testEveryStepOfTheLibrosaChain() throws {
        let (url, file) = try referenceFile("OAF_angry/OAF_back_angry.wav")
        let block = file["notebook"] as! [String: Any]
        let y = try load(url, offset: 0.5, duration: 3)

        // Power spectrogram, first frame (zero padding): single- vs double-precision FFT.
        let power = powerSpectrogram(stft(y.samples))
        XCTAssertEqual([power.bins, power.frames], block["stft_shape"] as? [Int])
        assertClose((0..<8).map { power[$0, 0] }, floats(block["power_spec_first_frame_first8"]), relative: 1e-4, "power")
        // The fused path gives the same numbers as stft → power.
        XCTAssertEqual(powerSpectrogram(y.samples).values, power.values)

        // Mel filterbank: band 0's nonzero weights and the sum of all weights.
        let bank = melFilterbank(sampleRate: 22050)
        let row0 = block["mel_basis_row0_nonzero"] as! [String: Any]
        let bins = row0["bins"] as! [Int]
        XCTAssertEqual(Array(bank.support[0]), bins)
        XCTAssertEqual(bins.map { bank.weights[$0] }, floats(row0["weights"]))
        let sum = bank.weights.reduce(0.0) { $0 + Double($1) }
        XCTAssertEqual(sum, (block["mel_basis_sum_f64"] as! NSNumber).doubleValue, accuracy: 1e-9)

        // Mel spectrogram and dB.
        let mel = melSpectrogram(power: power, filterbank: bank)
        XCTAssertEqual([mel.bins, mel.frames], block["mel_spec_shape"] as? [Int])
        assertClose((0..<8).map { mel[$0, 0] }, floats(block["mel_spec_first_frame_first8"]), relative: 1e-4, "mel")
        XCTAssertEqual(mel.values.reduce(0.0) { $0 + Double($1) }, (block["mel_spec_sum_f64"] as! NSNumber).doubleValue,
                       accuracy: 1e-4 * (block["mel_spec_sum_f64"] as! NSNumber).doubleValue)
        let db = powerToDB(mel)
        XCTAssertEqual(db.values.max()!, (block["db_max"] as! NSNumber).floatValue, accuracy: 1e-3)
        XCTAssertEqual(db.values.min()!, (block["db_min"] as! NSNumber).floatValue, accuracy: 1e-3)
        for (a, b) in zip((0..<8).map { db[$0, 0] }, floats(block["db_first_frame_first8"])) {
            XCTAssertEqual(a, b, accuracy: 1e-3)
        }

        // MFCC, first frame.
        let c = mfcc(melDB: db, nMFCC: 40)
        XCTAssertEqual([c.bins, c.frames], block["mfcc_shape"] as? [Int])
        for (a, b) in zip((0..<8).map { c[$0, 0] }, floats(block["mfcc_first_frame_first8"])) {
            XCTAssertEqual(a, b, accuracy: 0.01)
        }
    }

    func testNotebookPresetFirstFrame() throws {
        let (url, file) = try referenceFile("OAF_angry/OAF_back_angry.wav")
        let block = (file["notebook"] as! [String: Any])["study_librosa09_defaults"] as! [String: Any]
        let y = try load(url, offset: 0.5, duration: 3, resampler: .kaiserBest)
        let c = mfcc(y: y.samples, sampleRate: 22050, nMFCC: 40, padMode: .reflect)
        for (a, b) in zip((0..<8).map { c[$0, 0] }, floats(block["mfcc_first_frame_first8"])) {
            XCTAssertEqual(a, b, accuracy: 0.01)
        }
    }

    /// The original notebook printed `X[0]` for OAF_angry/OAF_pike_angry.wav.
    func testNotebookPrintedVector() throws {
        let (url, _) = try referenceFile("OAF_angry/OAF_pike_angry.wav")
        let means = try extractMFCCMeans(url: url, preset: .notebook)
        XCTAssertEqual(means.count, 40)
        let printed: [Float] = [-467.97388, 75.4238, -7.295418, -11.267856, 2.3808932]
        for (a, b) in zip(means, printed) { XCTAssertEqual(a, b, accuracy: 0.01) }
        print("NOTEBOOK X[0] ours: \(means.prefix(5).map { String(format: "%.5f", $0) }.joined(separator: ", "))")
    }
}
