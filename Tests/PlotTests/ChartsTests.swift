import Foundation
import XCTest
@testable import Plot

final class ChartsTests: XCTestCase {
    func testCountPlotBarsAreProportionalAndUseTheDeepPalette() throws {
        let counts = [400, 300, 100, 250]
        let fig = Charts.countPlot(categories: ["a", "b", "c", "d"], counts: counts)
        let r = try fig.render()
        let ax = fig.axes[0]
        var heights: [Double] = []
        for i in counts.indices {
            let base = try XCTUnwrap(ax.pixel(x: Double(i), y: 0))
            let x = Int(base.x)
            var y = Int(base.y) - 1, h = 0
            while y > 0, darkness(r.canvas, x, y) > 0.2 { h += 1; y -= 1 }
            heights.append(Double(h))
            let c = r.canvas[x: x, y: Int(base.y) - 3]
            let expected = Palette.deep[i].desaturated(0.75)
            XCTAssertEqual(c.r, expected.r, accuracy: 0.004)
            XCTAssertEqual(c.g, expected.g, accuracy: 0.004)
            XCTAssertEqual(c.b, expected.b, accuracy: 0.004)
        }
        for (h, c) in zip(heights, counts) { XCTAssertEqual(h / heights[0], Double(c) / 400, accuracy: 1.5 / heights[0]) }
        XCTAssertEqual(r.canvas.width, 390)
        XCTAssertEqual(r.canvas.height, 260)
        assertCleanLayout(r)
    }

    func testEnvelopeSpansEachColumnsExtremes() throws {
        let sr = 8000.0
        // 1 s of a 0.5-amplitude 500 Hz tone (its samples hit the peaks), then 1 s of silence.
        let values = (0..<16000).map { i in i < 8000 ? Float(0.5 * sin(2 * .pi * 500 * Double(i) / sr)) : 0 }
        let fig = Charts.envelope(values: values, sampleRate: sr, title: "tone", outline: 0, width: 800, height: 300)
        let r = try fig.render()
        let ax = fig.axes[0]
        let top = try XCTUnwrap(ax.pixel(x: 0, y: 0.5)).y, bottom = try XCTUnwrap(ax.pixel(x: 0, y: -0.5)).y
        let zero = try XCTUnwrap(ax.pixel(x: 0, y: 0)).y
        let blue = Palette.tab10[0]
        func isBlue(_ x: Int, _ y: Int) -> Bool {
            let c = r.canvas[x: x, y: y]
            return abs(c.r - blue.r) < 0.1 && abs(c.g - blue.g) < 0.1 && abs(c.b - blue.b) < 0.1
        }
        for t in [0.2, 0.5, 0.8] {
            let x = Int(try XCTUnwrap(ax.pixel(x: t, y: 0)).x)
            let filled = (0..<r.canvas.height).filter { isBlue(x, $0) }
            // Fully covered pixels run from the one below the top edge to the one above the bottom edge.
            XCTAssertEqual(Double(filled.first!), top, accuracy: 1)
            XCTAssertEqual(Double(filled.last! + 1), bottom, accuracy: 1)
            XCTAssertEqual(filled.count, filled.last! - filled.first! + 1, "solid column")
        }
        // Silence stays visible: a thin line at zero, no more than two pixels tall.
        let x = Int(try XCTUnwrap(ax.pixel(x: 1.5, y: 0)).x)
        let inked = (Int(zero) - 5...Int(zero) + 5).filter { darkness(r.canvas, x, $0) > 0.05 }
        XCTAssertFalse(inked.isEmpty)
        XCTAssertLessThanOrEqual(inked.count, 2)
        assertCleanLayout(r)
    }

    func testSpectrogramUsesMagmaAndLabelsTheColorbarInDecibels() throws {
        // Rows: 0 dB at the top frequency, −80 dB at 0 Hz.
        let rows = 64, cols = 20
        var db: [Float] = []
        for row in 0..<rows {
            let level = -80 + 80 * Double(row) / Double(rows - 1)
            db += [Float](repeating: Float(level), count: cols)
        }
        let fig = Charts.spectrogram(db: db, rows: rows, cols: cols, xMax: 3, yMax: 11025, title: "t", width: 900, height: 500)
        let r = try fig.render()
        let f = try XCTUnwrap(fig.axes[0].frame)
        let high = r.canvas[x: Int(f.midX), y: Int(f.minY) + 2], low = r.canvas[x: Int(f.midX), y: Int(f.maxY) - 3]
        XCTAssertEqual(high.r, Colormap.magma[255].r, accuracy: 0.03)
        XCTAssertEqual(low.r, Colormap.magma[0].r, accuracy: 0.03)
        let cbLabels = r.texts.filter { $0.role == .colorbarTickLabel }.map(\.text)
        XCTAssertTrue(cbLabels.contains("+0 dB"), "\(cbLabels)")
        XCTAssertTrue(cbLabels.contains("-80 dB"), "\(cbLabels)")
        let yTicks = r.texts.filter { $0.role == .yTickLabel }.map(\.text)
        XCTAssertEqual(yTicks, ["0", "2000", "4000", "6000", "8000", "10000"])
        assertCleanLayout(r)
    }

    func testConfusionMatrixTextContrastsWithItsCell() throws {
        let counts = [[50, 0, 0], [5, 40, 5], [0, 10, 40]]
        let fig = Charts.confusionMatrix(counts: counts, labels: ["x", "y", "z"], title: "UAR 0.867")
        let r = try fig.render()
        let ax = fig.axes[0]
        // Inside the darkest cell some pixels are near white (the text); inside an empty cell some are dark.
        func pixels(inCell row: Int, _ col: Int) throws -> [Color] {
            let a = try XCTUnwrap(ax.pixel(x: Double(col) + 0.2, y: Double(row) + 0.2))
            let b = try XCTUnwrap(ax.pixel(x: Double(col) + 0.8, y: Double(row) + 0.8))
            return (Int(min(a.y, b.y))...Int(max(a.y, b.y))).flatMap { y in (Int(a.x)...Int(b.x)).map { r.canvas[x: $0, y: y] } }
        }
        XCTAssertTrue(try pixels(inCell: 0, 0).contains { $0.r > 0.9 && $0.g > 0.9 && $0.b > 0.9 })
        XCTAssertTrue(try pixels(inCell: 0, 1).contains { $0.r < 0.3 && $0.g < 0.3 && $0.b < 0.3 })
        // Row percentages, and the first row at the top.
        let notes = r.texts.filter { $0.role == .annotation }
        XCTAssertTrue(notes.contains { $0.text == "40\n80.0%" })
        let first = try XCTUnwrap(notes.first { $0.text.hasPrefix("50\n") }), last = try XCTUnwrap(notes.first { $0.text.hasPrefix("40\n80") && $0.box.midX > first.box.midX + 100 })
        XCTAssertLessThan(first.box.midY, last.box.midY)
        XCTAssertEqual(r.texts.filter { $0.role == .xTickLabel }.map(\.text), ["x", "y", "z"])
        XCTAssertEqual(r.texts.filter { $0.role == .yTickLabel }.map(\.text), ["x", "y", "z"])
        assertCleanLayout(r)
    }

    func testTrainingHistoryHasTwoTitledPanelsWithLegends() throws {
        let e = Array(0..<10)
        let fig = Charts.trainingHistory(epochs: e, trainAccuracy: e.map { 0.5 + Double($0) / 20 },
                                         valAccuracy: e.map { 0.45 + Double($0) / 21 }, trainLoss: e.map { 1 / Double($0 + 1) },
                                         valLoss: e.map { 1.1 / Double($0 + 1) + 0.01 * Double($0) }, bestEpoch: 6)
        let r = try fig.render()
        XCTAssertEqual(r.texts.filter { $0.role == .title }.map(\.text), ["Accuracy", "Loss"])
        XCTAssertEqual(r.texts.filter { $0.role == .xLabel }.map(\.text), ["epochs", "epochs"])
        XCTAssertEqual(r.texts.filter { $0.role == .legend }.map(\.text),
                       ["train accuracy", "val accuracy", "best epoch (6)", "train loss", "val loss", "best epoch (6)"])
        // Both panels share their left and right edges.
        XCTAssertEqual(fig.axes[0].frame?.minX, fig.axes[1].frame?.minX)
        assertCleanLayout(r)
    }

    func testLayerDiagramHasABoxPerLayerInOrder() throws {
        let fig = Charts.layerDiagram(layers: Gallery.sampleLayers)
        let r = try fig.render()
        let names = r.texts.filter { $0.text.contains(": ") }
        XCTAssertEqual(names.map(\.text), Gallery.sampleLayers.map { "\($0.name): \($0.type)" })
        for (a, b) in zip(names, names.dropFirst()) { XCTAssertLessThan(a.box.maxY, b.box.minY) }
        XCTAssertEqual(r.texts.filter { $0.text == "(None, 40, 256)" }.count, 2)   // output of one, input of the next
        for t in r.texts { XCTAssertTrue(r.canvas.bounds.contains(t.box), t.text) }
        // An arrow between the first two boxes: dark pixels on the centre line in the gap.
        let x = Int(r.canvas.width / 2)
        let gapY = Int((names[0].box.maxY + names[1].box.minY) / 2)
        XCTAssertTrue((gapY - 3...gapY + 3).contains { y in (x - 3...x + 3).contains { darkness(r.canvas, $0, y) > 0.5 } })
    }

    func testHeatmapCellsAreCrispColormapColours() throws {
        let m: [[Float]] = [[0, 1], [2, 3]]
        let fig = Charts.heatmap(matrix: m, rowLabels: ["r0", "r1"], colLabels: ["c0", "c1"], title: "h", colormap: .viridis,
                                 width: 500, height: 400)
        let r = try fig.render()
        let ax = fig.axes[0]
        for (row, col) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let p = try XCTUnwrap(ax.pixel(x: Double(col) + 0.5, y: Double(row) + 0.5))
            let c = r.canvas[x: Int(p.x), y: Int(p.y)]
            let e = Colormap.viridis.color(at: Double(m[row][col]) / 3)
            XCTAssertEqual(c.r, e.r, accuracy: 0.003); XCTAssertEqual(c.g, e.g, accuracy: 0.003); XCTAssertEqual(c.b, e.b, accuracy: 0.003)
        }
        assertCleanLayout(r)
    }

    func testBoxPlotMedianAndQuartiles() throws {
        XCTAssertEqual(Charts.quantile([1, 2, 3, 4], 0.5), 2.5)
        XCTAssertEqual(Charts.quantile([1, 2, 3, 4, 5], 0.25), 2)
        let values: [[Float]] = [(0...100).map(Float.init), (0...100).map { Float($0) * 0.5 }]
        let fig = Charts.boxPlot(groups: ["a", "b"], values: values, title: "t", yLabel: "v")
        let r = try fig.render()
        let p = try XCTUnwrap(fig.axes[0].pixel(x: 0.3, y: 50))
        XCTAssertGreaterThan((Int(p.y) - 1...Int(p.y) + 1).map { darkness(r.canvas, Int(p.x), $0) }.max()!, 0.6)
        assertCleanLayout(r)
    }
}
