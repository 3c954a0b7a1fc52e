import Foundation
import Plot
import TestSupport
import XCTest
@testable import Study

/// The study's own charts (`Sources/Study/Charts`, an extension of Plot's `Charts`): the leakage
/// ladder, the reliability diagram, the cross-corpus matrix and "what survives", and their place
/// in the plot gallery after Plot's general charts. To regenerate the contact sheet in the
/// repository (Plot's general charts and these):
///
///     PLOT_GALLERY_OUT=docs swift test --filter StudyTests.ChartsTests
///
/// (the folder is taken relative to the repository root; it receives contact-sheet.png and
/// plot-gallery/*.png).
final class ChartsTests: XCTestCase {
    /// TESS's seven emotion codes, the names the README's gallery shows.
    let categories = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]

    /// Every text inside the canvas; tick labels, titles and axis labels clear of one another
    /// (the check PlotTests makes of Plot's general charts).
    func assertCleanLayout(_ r: Rendering, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        for t in r.texts {
            XCTAssertTrue(r.canvas.bounds.contains(t.box, tolerance: 0.5), "\(name): \"\(t.text)\" leaves the canvas", file: file, line: line)
        }
        let roles: [RenderedText.Role] = [.xTickLabel, .yTickLabel, .colorbarTickLabel]
        for role in roles {
            for (_, labels) in Dictionary(grouping: r.texts.filter { $0.role == role }, by: { $0.axesIndex ?? -1 }) {
                for i in labels.indices { for j in labels.indices where j > i {
                    XCTAssertFalse(labels[i].box.intersects(labels[j].box),
                                   "\(name): \"\(labels[i].text)\" and \"\(labels[j].text)\" overlap", file: file, line: line)
                } }
            }
        }
        let decorations = r.texts.filter { [.title, .xLabel, .yLabel, .figureTitle, .colorbarLabel].contains($0.role) }
        let ticks = r.texts.filter { roles.contains($0.role) }
        for d in decorations {
            for t in ticks + decorations where t.box != d.box {
                XCTAssertFalse(d.box.intersects(t.box), "\(name): \"\(d.text)\" overlaps \"\(t.text)\"", file: file, line: line)
            }
        }
    }

    func testTheStudysGalleryFiguresRenderWithACleanLayout() throws {
        let figures = Charts.galleryFigures(categories: categories)
        XCTAssertEqual(figures.map(\.name), ["leakage-ladder", "reliability-diagram", "cross-corpus-matrix"])
        for (name, fig) in figures {
            let r = try fig.render()
            XCTAssertFalse(r.texts.isEmpty, name)
            assertCleanLayout(r, name)
        }
    }

    func testTheGalleryDrawsTheStudysChartsAfterPlotsGeneralOnes() throws {
        let dir = try SharedData.temporaryDirectory("study-plot-gallery")
        defer { try? FileManager.default.removeItem(at: dir) }
        let extra = Charts.galleryFigures(categories: categories)
        try Gallery.renderAll(to: dir, categories: categories, extra: extra)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("plot-gallery").path)
        XCTAssertEqual(Set(files), Set((Gallery.figures(categories: categories) + extra).map { $0.name + ".png" }))
        // Plot's own gallery knows none of them.
        XCTAssertTrue(Set(Gallery.figures(categories: categories).map(\.name)).isDisjoint(with: extra.map(\.name)))

        if let out = ProcessInfo.processInfo.environment["PLOT_GALLERY_OUT"], !out.isEmpty {
            let target = out.hasPrefix("/") ? URL(fileURLWithPath: out) : SharedData.repositoryRoot.appendingPathComponent(out)
            let written = try Gallery.renderAll(to: target, categories: categories, extra: extra)
            print("gallery written: \(written.path)")
        }
    }

    func testTheLadderListsItsBarsTopToBottomWithGroupsChanceAndReferences() throws {
        let bars = [
            Charts.LadderBar(label: "random", group: "standardized", value: 0.95, interval: (0.93, 0.97)),
            Charts.LadderBar(label: "speaker_independent", group: "speaker_normalized", value: 0.5, interval: nil),
            Charts.LadderBar(label: "few words", group: "faithful", value: 0.2, interval: nil, collapsed: true),
        ]
        let fig = Charts.ladder(bars: bars, chance: 0.25, references: [("published 0.99", 0.99)], title: "ladder")
        let r = try fig.render()
        let ticks = r.texts.filter { $0.role == .yTickLabel }
        XCTAssertEqual(ticks.map(\.text), bars.map(\.label))
        for (a, b) in zip(ticks, ticks.dropFirst()) { XCTAssertLessThan(a.box.midY, b.box.midY) }
        let legend = Set(r.texts.filter { $0.role == .legend }.map(\.text))
        XCTAssertEqual(legend, ["standardized", "speaker_normalized", "faithful", "chance (0.250)", "published 0.99"])
        XCTAssertTrue(r.texts.contains { $0.text == "0.200 collapsed" })
        XCTAssertEqual(r.texts.first { $0.role == .xLabel }?.text, "test accuracy (95 % word-cluster bootstrap interval)")
        assertCleanLayout(r, "ladder")
    }

    func testTheReliabilityDiagramPutsTheECEInItsTitle() throws {
        var bins: [(lo: Double, hi: Double, count: Int, accuracy: Double, confidence: Double)] = []
        for b in 0..<10 {
            let lo = Double(b) / 10
            bins.append((lo: lo, hi: lo + 0.1, count: b < 3 ? 0 : 5, accuracy: 0.5, confidence: 0.5))
        }
        let r = try Charts.reliabilityDiagram(bins: bins, ece: 0.123, title: "calibration").render()
        XCTAssertEqual(r.texts.filter { $0.role == .title }.map(\.text), ["calibration — ECE 0.123"])
        XCTAssertEqual(r.texts.first { $0.role == .xLabel }?.text, "top-label confidence")
        assertCleanLayout(r, "reliability")
    }

    func testTheCrossCorpusMatrixShowsValuesNotesAndWhyACellIsEmpty() throws {
        let fig = Charts.crossCorpusMatrix(values: [[0.9, nil], [0.3, 0.7]], names: ["A", "B"],
                                           notes: [["n=10", "not run"], ["", "n=5"]], title: "cross")
        let r = try fig.render()
        let notes = r.texts.filter { $0.role == .annotation }.map(\.text)
        XCTAssertEqual(Set(notes), ["0.900\nn=10", "—\nnot run", "0.300", "0.700\nn=5"])
        XCTAssertEqual(r.texts.filter { $0.role == .xTickLabel }.map(\.text), ["A", "B"])
        XCTAssertEqual(r.texts.first { $0.role == .yLabel }?.text, "trained on")
        assertCleanLayout(r, "cross-corpus")
    }

    func testWhatSurvivesHasAPanelPerRungAndLabelsOnlyTheFirstColumn() throws {
        var s = Survival(runs: [], pooled: [])
        s.rungs = [.init(protocolName: .random, direction: nil), .init(protocolName: .wordDisjoint, direction: nil),
                   .init(protocolName: .speakerIndependent, direction: "A→B"), .init(protocolName: .labelShuffle, direction: nil)]
        s.combinations = [.init(features: "mfcc-means", model: "cnn1d", recipe: .standardized),
                          .init(features: "logmel", model: "tcn", recipe: .standardized)]
        let cell = Survival.Cell(accuracy: 0.6, interval: .interval(lo: 0.55, hi: 0.65), collapsed: false, note: nil)
        s.cells = [[cell, cell, cell, cell], [cell, nil, cell, Survival.Cell(accuracy: 0.14, interval: .tooFewClusters(3),
                                                                            collapsed: true, note: nil)]]
        let fig = Charts.whatSurvives(s, chance: 1.0 / 7, clusterNoun: "word", seed: 42)
        let r = try fig.render()
        XCTAssertEqual(r.texts.filter { $0.role == .title }.map(\.text), s.rungs.map(\.label))
        XCTAssertTrue(r.texts.contains { $0.role == .figureTitle && $0.text.hasSuffix("(seed 42)") })
        // Three columns: the first column's panels (rungs 0 and 3) carry the combinations' names.
        let labelled = r.texts.filter { $0.role == .yTickLabel && !$0.text.isEmpty }
        XCTAssertEqual(labelled.map(\.text), s.combinations.map(\.label) + s.combinations.map(\.label))
        XCTAssertTrue(r.texts.contains { $0.text == "0.140 collapsed" })
        assertCleanLayout(r, "what survives")
    }
}
