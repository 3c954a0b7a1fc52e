import Base
import Features
import Foundation
import XCTest
@testable import Study
import TestSupport

/// Chapter 4's other feature sets, in process on the tone corpus: one file per set under its own
/// key, the values equal to the set computed for the clip directly (the property), a clip one
/// set fails on kept for the notebook's chapters and marked missing in that set only, and a set
/// file reused when nothing it depends on changed.
extension RunnerTests {
    func testEverySetIsStoredPerClipAndAFailingClipStaysInTheNotebooksChapters() throws {
        // One clip too short for mfcc-functionals' deltas (fewer than 9 frames after the 0.5 s
        // offset) but long enough for the means.
        let corpus = try XCTUnwrap(options.dataDirectory)
        let short = corpus.appendingPathComponent("OAF_angry/OAF_bar_angry.wav")
        try EndToEndTests.sineWAV(seconds: 0.6, rate: 24414, frequency: 200).write(to: short)
        var o = options
        o.only = .features
        o.featureSets = ["mfcc-means", "mfcc-functionals"]
        _ = try run(o)
        let folder = o.chapterFolder(.features)
        let output = try XCTUnwrap(RecordStore.read(FeaturesChapter.self, from: folder).get().output as? FeaturesChapter.Output)
        XCTAssertEqual(output.rows.count, 28, "every clip the means have, the short one included")
        let row = try XCTUnwrap(output.rows.firstIndex { $0.path.hasSuffix("OAF_bar_angry.wav") })
        let set = try XCTUnwrap(output.sets.first)
        XCTAssertEqual(set.name, "mfcc-functionals")
        XCTAssertEqual(set.missing, [row])
        XCTAssertTrue(output.failures.contains { $0.path.hasSuffix("OAF_bar_angry.wav") && $0.error.hasPrefix("mfcc-functionals:") })
        // The stored values are the set's features of each clip, computed directly.
        let stored = try FeaturesChapter.values(of: "mfcc-functionals", in: output, folder: folder)
        let direct = try FeatureSets.extract(MFCCFunctionalsSet(preset: .librosa), url: corpus.appendingPathComponent(output.rows[3].path),
                                             preset: .librosa)
        XCTAssertEqual(Array(stored.values[(3 * 720)..<(4 * 720)]), direct)
        // Chapter 7's data leaves the clip out of every set.
        let data = try LabelledData(output, set: "mfcc-functionals", folder: folder)
        XCTAssertEqual(data.count, 28)

        // Asking for the same sets again after a forced re-run reuses the file; changing a byte of
        // its values makes it computed again.
        o.from = .features
        o.only = nil
        o.ladder = .off
        let url = folder.appendingPathComponent(set.file)
        let before = try Data(contentsOf: url)
        _ = try run(o)
        XCTAssertEqual(try Data(contentsOf: url), before, "reused as it was")
        var damaged = before
        damaged[damaged.count - 1] ^= 0x01
        try damaged.write(to: url)
        _ = try run(o)
        XCTAssertEqual(try Data(contentsOf: url), before, "a changed value is not reused: computed again, the same bits")
    }
}
