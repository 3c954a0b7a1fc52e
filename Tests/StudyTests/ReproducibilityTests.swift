import Base
import Foundation
import TestSupport
import XCTest
@testable import Study

/// The reproducibility digest and `study verify`. The digest's byte forms are checked against
/// values computed outside the study (Python's hashlib, IEEE 754 bit patterns known by hand) and
/// recomputed here from other files than the ones the study hashes (the CSVs instead of the
/// records); verify is run as a user runs it, on one small study run shared by the tests.
final class ReproducibilityTests: XCTestCase {
    // MARK: byte forms

    /// 1.0 is 0x3F800000 and -2.5 is 0xC0200000 (sign 1, exponent 128, mantissa 0.25): little-
    /// endian, 00 00 80 3f 00 00 20 c0. The digest of those 8 bytes, from Python:
    /// hashlib.sha256(struct.pack('<2f', 1.0, -2.5)).hexdigest().
    func testCanonicalFloatBytesAndTheirSHA256() {
        XCTAssertEqual(Reproducibility.canonicalBytes([1.0, -2.5]), [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0])
        XCTAssertEqual(Reproducibility.sha256(floats: [1.0, -2.5]), "48943f7a0ea247f8e3c9386d0c5822fe181d323a9289980426638cc4e72a43e1")
        XCTAssertEqual(Reproducibility.sha256(floats: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                       "no floats: the digest of the empty message")
    }

    /// Every NaN is one quiet NaN, 0x7FC00000: a record (JSON) keeps neither sign nor payload,
    /// so a run and a verify of its files could not agree on anything else.
    func testEveryNaNHasOneCanonicalForm() {
        let negative = -Float.nan
        let payload = Float(bitPattern: 0x7FC0_1234)
        XCTAssertEqual(Reproducibility.canonicalBytes([negative, payload, .nan]), Array(repeating: [0x00, 0x00, 0xc0, 0x7f], count: 3).flatMap { $0 })
        XCTAssertEqual(Reproducibility.canonicalBytes([-0.0]), [0, 0, 0, 0x80], "-0 keeps its sign")
    }

    // MARK: options and libraries

    func testDefaultRunIsTheDefaultOptionsWhateverTheThreads() {
        var o = StudyOptions()
        XCTAssertEqual(RunOptionsSummary(o).differencesFromDefault(), [])
        o.threads = 1
        XCTAssertEqual(RunOptionsSummary(o).differencesFromDefault(), [], "the bits do not depend on --threads")
        o.epochs = 10
        o.kernels = .native
        XCTAssertEqual(RunOptionsSummary(o).differencesFromDefault(), ["epochs 10 (default: 50)", "kernels native (default: deterministic)"])
        var d = StudyOptions()
        d.dataDirectory = URL(fileURLWithPath: "/somewhere/TESS")
        XCTAssertEqual(RunOptionsSummary(d).differencesFromDefault().first, "corpus 1 --data folder (default: synthetic)")
    }

    func testLibraryDifferencesSayWhenOnlyOpenBLASKernelClassDiffers() {
        let a = ["openblas": "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64", "zlib": "1.2.13", "fftw": "x"]
        let b = ["openblas": "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64", "zlib": "1.3", "fftw": "x"]
        let d = Verification.libraryDifferences(a, b, names: ("A", "B"))
        XCTAssertEqual(d.count, 2, "\(d)")
        XCTAssertTrue(d[0].hasPrefix("openblas: ") && d[0].contains("the same version, another kernel class"), d[0])
        XCTAssertEqual(d[1], "zlib: 1.2.13 (A) vs 1.3 (B)")
        XCTAssertEqual(Verification.libraryDifferences(a, a, names: ("A", "B")), [])
    }

    /// A record is a file like any other: its names never lead out of the chapter folder.
    func testRecordPathsThatLeaveTheChapterFolderAreRefused() {
        for bad in ["../summary.json", "/etc/passwd", "a/../../b", "a//b", "./a", ""] {
            XCTAssertNil(Reproducibility.safeRelativePath(bad), bad)
        }
        XCTAssertEqual(Reproducibility.safeRelativePath("figures/angry_SOF_wave.png"), "figures/angry_SOF_wave.png")
    }

    // MARK: one small run, shared

    struct Fixture: Sendable {
        var dir: URL
        var output: URL
        var stderr: String
    }

    /// One run of the built `study` on a 28-clip tone corpus, every chapter but 8 (a ladder
    /// included, one epoch each): made once, for every test below.
    static let fixture: Result<Fixture, Error> = Result {
        let dir = try SharedData.temporaryDirectory("digest")
        let data = try RunnerTests.toneCorpus(in: dir)
        let output = dir.appendingPathComponent("output")
        let r = try BuiltProduct.run(BuiltProduct.url("study"), ["run", "--data", data.path, "--output", output.path,
                                                                  "--preset", "librosa", "--epochs", "1"])
        guard r.status == 0 else { throw StudyError.invalidOption("study run failed (\(r.status)):\n\(r.err)") }
        return Fixture(dir: dir, output: output, stderr: r.err)
    }

    override class func tearDown() {
        if case .success(let f) = fixture { try? FileManager.default.removeItem(at: f.dir) }
        super.tearDown()
    }

    func verify(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try BuiltProduct.run(BuiltProduct.url("study"), ["verify"] + args)
    }

    func summaryDigest(_ output: URL) throws -> [String: Any] {
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as? [String: Any]
        return try XCTUnwrap(summary?["reproducibility"] as? [String: Any])
    }

    /// A copy of the run's folder to alter.
    func copyOfRun() throws -> URL {
        let f = try Self.fixture.get()
        let copy = f.dir.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: f.output, to: copy)
        return copy
    }

    func flipByte(_ url: URL, at offset: Int) throws {
        var d = try Data(contentsOf: url)
        d[offset] ^= 0xFF
        try d.write(to: url)
    }

    func parseFloats(_ fields: ArraySlice<String>) -> [Float] { fields.map { Float($0)! } }

    func csv(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The four parts recomputed here by another route than the study's: features and
    /// predictions from the CSV files' text (the study hashes its records' floats), figures by
    /// walking the folder (the study follows its records), the model from its bytes.
    func testDigestEqualsAnIndependentRecomputationFromTheFiles() throws {
        let f = try Self.fixture.get()
        let out = f.output
        let digest = try summaryDigest(out)

        let features = try csv(out.appendingPathComponent("04-features/features.csv")).flatMap { parseFloats($0[3...]) }
        XCTAssertEqual(features.count, 28 * 40)
        XCTAssertEqual(digest["features_sha256"] as? String, Reproducibility.sha256(floats: features))

        XCTAssertEqual(digest["model_sha256"] as? String, SHA256.hex(of: try Data(contentsOf: out.appendingPathComponent("05-training/model.safetensors"))))

        // Chapter 6: path, true, predicted, p_…; chapter 7: clip, protocol, direction, recipe,
        // seed, true, predicted, p_…
        let predictions = try csv(out.appendingPathComponent("06-evaluation/predictions.csv")).flatMap { parseFloats($0[3...]) }
            + csv(out.appendingPathComponent("07-beyond/predictions.csv")).flatMap { parseFloats($0[9...]) }
        XCTAssertGreaterThan(predictions.count, 7 * 6)
        XCTAssertEqual(digest["predictions_sha256"] as? String, Reproducibility.sha256(floats: predictions))

        var pngs: [String] = []
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: out.path))
        for case let path as String in walker where path.hasSuffix(".png") && path.first?.isNumber == true { pngs.append(path) }
        pngs.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        XCTAssertTrue(pngs.contains("03-target-distribution/target_dist.png"), "\(pngs)")
        var figures = SHA256()
        for p in pngs { figures.update(try Data(contentsOf: out.appendingPathComponent(p))) }
        XCTAssertEqual(digest["figures_sha256"] as? String, figures.hex)

        let chapters = try XCTUnwrap(digest["chapters"] as? [String: String])
        XCTAssertEqual(chapters.keys.sorted(), ["01-load", "02-eda", "03-target-distribution", "04-features", "05-training",
                                                "06-evaluation", "07-beyond"], "chapter 8 does not apply to one corpus")
        XCTAssertEqual(digest["default_run"] as? Bool, false)
        let libraries = try XCTUnwrap(digest["libraries"] as? [String: String])
        for key in ["libsndfile", "libsoxr", "fftw", "openblas", "libpng", "zlib", "freetype", "espeak-ng", "font", "font_sha256"] {
            XCTAssertNotNil(libraries[key], key)
        }

        // The end of the run says it on stderr, and the report ends with it.
        let short = String((digest["features_sha256"] as? String ?? "").prefix(8))
        XCTAssertTrue(f.stderr.contains("digest: features \(short)… model "), f.stderr)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Reproducibility digest"))
        XCTAssertTrue(md.contains("| figures | `\(figures.hex)` |"), "the report's table")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8).contains(figures.hex))
    }

    func testVerifyFindsAFolderEqualToItsSummaryAndToItself() throws {
        let out = try Self.fixture.get().output
        let alone = try verify(["--output", out.path])
        XCTAssertEqual(alone.status, 0, alone.out + alone.err)
        XCTAssertTrue(alone.out.hasSuffix("\nequal\n"), alone.out)
        XCTAssertTrue(alone.out.contains("summary.json: equal"), alone.out)
        XCTAssertTrue(alone.out.contains("not a default run (corpus 1 --data folder (default: synthetic)"), alone.out)

        let itself = try verify(["--output", out.path, "--against", out.path])
        XCTAssertEqual(itself.status, 0, itself.out + itself.err)
        XCTAssertTrue(itself.out.contains("features, model, predictions, figures and every chapter: equal"), itself.out)
        XCTAssertTrue(itself.out.contains("library versions: the same"), itself.out)
        XCTAssertTrue(itself.out.hasSuffix("\nequal\n"), itself.out)
    }

    func testVerifyNamesFiguresAndTheChapterOfAnAlteredPNG() throws {
        let out = try Self.fixture.get().output
        let copy = try copyOfRun()
        try flipByte(copy.appendingPathComponent("03-target-distribution/target_dist.png"), at: 200)
        let r = try verify(["--output", copy.path, "--against", out.path])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("figures     differs"), r.out)
        for part in ["features", "model", "predictions"] {
            XCTAssertTrue(r.out.contains(part.padding(toLength: 12, withPad: " ", startingAt: 0) + "equal"), "\(part)\n\(r.out)")
        }
        XCTAssertTrue(r.out.contains("first chapter whose outputs differ: 03-target-distribution (changed since the run: target_dist.png)"), r.out)
        XCTAssertTrue(r.out.contains("first chapter whose outputs differ: 03-target-distribution (target_dist.png)"), r.out)
        XCTAssertTrue(r.out.hasSuffix("\ndifferent\n"), r.out)

        // Alone, against its own summary: the same finding.
        let alone = try verify(["--output", copy.path])
        XCTAssertEqual(alone.status, 1, alone.out)
        XCTAssertTrue(alone.out.contains("the files changed since the run hashed them"), alone.out)
    }

    func testVerifyNamesTheModelAndChapter5ForOneAlteredByteOfTheModel() throws {
        let out = try Self.fixture.get().output
        let copy = try copyOfRun()
        let model = copy.appendingPathComponent("05-training/model.safetensors")
        let size = try Data(contentsOf: model).count
        try flipByte(model, at: size - 3)  // a weight, not the header
        let r = try verify(["--output", out.path, "--against", copy.path])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("model       differs"), r.out)
        XCTAssertTrue(r.out.contains("figures     equal"), r.out)
        XCTAssertTrue(r.out.contains("first chapter whose outputs differ: 05-training (model.safetensors)"), r.out)
    }

    /// Files the run did not write (a figure of an earlier run with `--repeats`, a user's file)
    /// are not part of the digest.
    func testLeftoverFilesOfOtherRunsDoNotCount() throws {
        let copy = try copyOfRun()
        let stray = copy.appendingPathComponent("07-beyond/confusion_random_standardized_seed43.png")
        try FileManager.default.copyItem(at: copy.appendingPathComponent("03-target-distribution/target_dist.png"), to: stray)
        let r = try verify(["--output", copy.path])
        XCTAssertEqual(r.status, 0, r.out + r.err)
    }

    /// A default run's folder is compared with the README's digest, library versions first. The
    /// run here is no default run (a tone corpus, one epoch): a copy whose summary records the
    /// default options stands in for one, and the README's digest is injected.
    func testADefaultRunIsComparedWithTheREADMEsDigest() throws {
        let copy = try copyOfRun()
        let url = copy.appendingPathComponent("summary.json")
        var summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        summary["options"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(RunOptionsSummary(StudyOptions())))
        try JSONSerialization.data(withJSONObject: summary).write(to: url)
        let d = try JSONDecoder().decode(ReproducibilityDigest.self,
                                         from: JSONSerialization.data(withJSONObject: try XCTUnwrap(summary["reproducibility"])))
        let readme = DefaultRunDigest(features: try XCTUnwrap(d.featuresSHA256), model: try XCTUnwrap(d.modelSHA256),
                                      predictions: try XCTUnwrap(d.predictionsSHA256), figures: try XCTUnwrap(d.figuresSHA256),
                                      chapters: d.chapters, libraries: d.libraries, cpu: "the README's CPU")
        let same = try Verification.verify(output: copy, shown: "copy", against: nil, againstShown: nil, readme: readme)
        XCTAssertTrue(same.equal, same.text)
        XCTAssertTrue(same.text.contains("copy against the README's default run (made on the README's CPU):"), same.text)

        var other = readme
        other.model = String(repeating: "0", count: 64)
        other.chapters["05-training"] = String(repeating: "0", count: 64)
        other.libraries["openblas"] = "OpenBLAS 0.3.26 DYNAMIC_ARCH"
        let different = try Verification.verify(output: copy, shown: "copy", against: nil, againstShown: nil, readme: other)
        XCTAssertFalse(different.equal)
        let text = different.text
        let libraries = try XCTUnwrap(text.range(of: "library versions differ:"))
        let model = try XCTUnwrap(text.range(of: "model       differs"))
        XCTAssertLessThan(libraries.lowerBound, model.lowerBound, "libraries before the parts:\n\(text)")
        XCTAssertTrue(text.contains("openblas: \(d.libraries["openblas"]!) (copy) vs OpenBLAS 0.3.26 DYNAMIC_ARCH (README)"), text)
        XCTAssertTrue(text.contains("first chapter whose outputs differ: 05-training"), text)
        XCTAssertTrue(text.contains("the library versions differ: check them before the CPU"), text)

        // The literal that replaces the placeholder holds the run's digest.
        let literal = try Verification.defaultDigestLiteral(output: copy, shown: "copy")
        XCTAssertTrue(literal.hasPrefix("public static let readme: DefaultRunDigest? = DefaultRunDigest("), literal)
        XCTAssertTrue(literal.contains("model: \"\(d.modelSHA256!)\","), literal)
        XCTAssertTrue(literal.contains("\"07-beyond\": \"\(d.chapters["07-beyond"]!)\","), literal)
        // Not for a run with other options.
        XCTAssertThrowsError(try Verification.defaultDigestLiteral(output: try Self.fixture.get().output, shown: "output"))
    }

    func testVerifyOfAMissingFolderOrSummaryIsAClearError() throws {
        let f = try Self.fixture.get()
        let missing = f.dir.appendingPathComponent("no-such-output")
        let a = try verify(["--output", missing.path])
        XCTAssertEqual(a.status, 2)
        XCTAssertTrue(a.err.contains("\(missing.path): no such folder"), a.err)

        let copy = try copyOfRun()
        try FileManager.default.removeItem(at: copy.appendingPathComponent("summary.json"))
        let b = try verify(["--output", copy.path])
        XCTAssertEqual(b.status, 2)
        XCTAssertTrue(b.err.contains("\(copy.path)/summary.json: missing"), b.err)
        let c = try verify(["--output", f.output.path, "--against", copy.path])
        XCTAssertEqual(c.status, 2)
        XCTAssertTrue(c.err.contains("\(copy.path)/summary.json: missing"), c.err)

        try Data("{\"schema_version\": 2}".utf8).write(to: copy.appendingPathComponent("summary.json"))
        let d = try verify(["--output", copy.path])
        XCTAssertEqual(d.status, 2)
        XCTAssertTrue(d.err.contains("summary.json: has no reproducibility digest"), d.err)
    }
}
