import Foundation
import XCTest
@testable import Plot
import TestSupport

/// Layout checks shared by the figure and chart tests: every text inside the canvas, and the
/// tick labels of each axis clear of one another.
func assertCleanLayout(_ r: Rendering, file: StaticString = #filePath, line: UInt = #line) {
    let bounds = r.canvas.bounds
    for t in r.texts {
        XCTAssertTrue(bounds.contains(t.box, tolerance: 0.5), "\"\(t.text)\" (\(t.role)) at \(t.box) leaves the canvas", file: file, line: line)
    }
    let roles: [RenderedText.Role] = [.xTickLabel, .yTickLabel, .colorbarTickLabel]
    for role in roles {
        let groups = Dictionary(grouping: r.texts.filter { $0.role == role }, by: { $0.axesIndex ?? -1 })
        for (_, labels) in groups {
            for i in labels.indices { for j in labels.indices where j > i {
                XCTAssertFalse(labels[i].box.intersects(labels[j].box),
                               "tick labels \"\(labels[i].text)\" and \"\(labels[j].text)\" overlap", file: file, line: line)
            } }
        }
    }
    // Titles and axis labels clear of tick labels and of each other.
    let decorations = r.texts.filter { [.title, .xLabel, .yLabel, .figureTitle, .colorbarLabel].contains($0.role) }
    let ticks = r.texts.filter { roles.contains($0.role) }
    for d in decorations {
        for t in ticks + decorations where t.box != d.box {
            XCTAssertFalse(d.box.intersects(t.box), "\"\(d.text)\" overlaps \"\(t.text)\"", file: file, line: line)
        }
    }
}

/// Darkness of a pixel on white: 0 for white, 1 for black (mean over channels).
func darkness(_ c: Canvas, _ x: Int, _ y: Int) -> Double {
    let p = c[x: x, y: y]
    return 1 - Double(p.r + p.g + p.b) / 3
}

final class FigureTests: XCTestCase {
    func testLineLandsOnItsDataPixels() throws {
        let fig = Figure(width: 400, height: 300)
        let ax = fig.addAxes()
        ax.xLimits = (0, 10); ax.yLimits = (-1, 1)
        ax.line(x: [0, 10], y: [0.5, 0.5], color: .black, width: 0.72)    // 1 pixel at 100 dpi
        ax.line(x: [0, 10], y: [-1, 1], color: .black, width: 0.72)
        let r = try fig.render()
        let frame = try XCTUnwrap(ax.frame)
        // The horizontal line: darkest row of interior columns is the row holding y = 0.5.
        let expectedY = try XCTUnwrap(ax.pixel(x: 2, y: 0.5)).y
        for x in stride(from: Int(frame.minX) + 5, to: Int(frame.midX) - 20, by: 7) {
            let rows = (Int(frame.minY) + 2)..<(Int(frame.midY))
            let darkest = rows.max { darkness(r.canvas, x, $0) < darkness(r.canvas, x, $1) }!
            XCTAssertEqual(Double(darkest) + 0.5, expectedY, accuracy: 0.51, "column \(x)")
        }
        // The diagonal: in each column, ink is centred on the expected y.
        for xd in [1.0, 3.3, 6.1, 8.7] {
            let p = try XCTUnwrap(ax.pixel(x: xd, y: -1 + 2 * xd / 10))
            let x = Int(p.x)
            var sum = 0.0, weighted = 0.0
            for y in Int(p.y) - 4...Int(p.y) + 4 {
                let d = darkness(r.canvas, x, y)
                sum += d; weighted += d * (Double(y) + 0.5)
            }
            let slopeShift = (try XCTUnwrap(ax.pixel(x: 10, y: 1)).y - (try XCTUnwrap(ax.pixel(x: 0, y: -1))).y) / (frame.width - 1)
            let centreOfColumn = p.y + (Double(x) + 0.5 - p.x) * slopeShift
            XCTAssertEqual(weighted / sum, centreOfColumn, accuracy: 0.25, "x = \(xd)")
        }
        // Data limits map onto the frame's edge pixels.
        XCTAssertEqual(try XCTUnwrap(ax.pixel(x: 0, y: -1)).x, frame.minX + 0.5)
        XCTAssertEqual(try XCTUnwrap(ax.pixel(x: 0, y: -1)).y, frame.maxY - 0.5)
        assertCleanLayout(r)
    }

    func testBarHeightsAreProportionalToCounts() throws {
        let counts = [400.0, 250, 100, 325, 60]
        let fig = Figure(width: 390, height: 260)
        let ax = fig.addAxes()
        ax.bar(x: counts.indices.map(Double.init), heights: counts, colors: Palette.deep)
        let r = try fig.render()
        var heights: [Double] = []
        for (i, _) in counts.enumerated() {
            let p = try XCTUnwrap(ax.pixel(x: Double(i), y: 0))
            var y = Int(p.y)
            var h = 0
            while y > 0, darkness(r.canvas, Int(p.x), y) > 0.2 { h += 1; y -= 1 }
            heights.append(Double(h))
        }
        let scale = heights[0] / counts[0]
        for (h, c) in zip(heights, counts) { XCTAssertEqual(h, c * scale, accuracy: 1.5) }
        // Bars stand on y = 0 (a sticky edge): the lower limit is exactly 0.
        XCTAssertEqual(ax.viewLimits?.y.0, 0)
        assertCleanLayout(r)
    }

    func testColorbarIsAlignedWithItsImage() throws {
        let fig = Figure(width: 600, height: 300)
        let ax = fig.addAxes()
        ax.image((0..<100).map(Float.init), rows: 10, cols: 10, extent: DataRect(x0: 0, x1: 1, y0: 0, y1: 1), colormap: .magma)
        ax.colorbar(label: "value")
        let r = try fig.render()
        let f = try XCTUnwrap(ax.frame)
        // Scan right of the frame for the colorbar's first coloured column.
        let y = Int(f.midY)
        var x = Int(f.maxX) + 1
        while x < r.canvas.width, darkness(r.canvas, x, y) < 0.05 { x += 1 }
        XCTAssertLessThan(x, r.canvas.width - 20)
        var top = y, bottom = y
        while darkness(r.canvas, x + 3, top - 1) > 0.05 { top -= 1 }
        while darkness(r.canvas, x + 3, bottom + 1) > 0.05 { bottom += 1 }
        XCTAssertEqual(Double(top), f.minY)
        XCTAssertEqual(Double(bottom), f.maxY - 1)
        // Its top is the colormap's last colour, just inside the frame line.
        let c = r.canvas[x: x + 3, y: top + 1]
        XCTAssertEqual(c.r, Colormap.magma[255].r, accuracy: 0.01)
        assertCleanLayout(r)
    }

    func testLegendAvoidsTheData() throws {
        let fig = Figure(width: 500, height: 300)
        let ax = fig.addAxes()
        let x = (0..<50).map(Double.init)
        ax.line(x: x, y: x.map { $0 * $0 }, label: "rising")      // fills the lower right and upper right
        ax.legend()
        let r = try fig.render()
        let box = try XCTUnwrap(r.texts.first { $0.role == .legend }).box
        let f = try XCTUnwrap(ax.frame)
        XCTAssertLessThan(box.midX, f.midX, "legend should move to the empty upper left")
        XCTAssertLessThan(box.midY, f.midY)
    }

    func testSameFigureGivesSameBytes() throws {
        func make() -> Figure {
            let fig = Figure(width: 300, height: 200)
            let ax = fig.addAxes()
            ax.line(x: [0, 1, 2], y: [0, 1, 0.5], label: "a")
            ax.title = "Same"
            ax.legend()
            return fig
        }
        XCTAssertEqual(try make().pngData(), try make().pngData())
    }

    func testMissingFontAndUnwritablePathAreClearErrors() throws {
        let fig = Figure(width: 100, height: 100)
        fig.addAxes().line(x: [0, 1], y: [0, 1])
        fig.fonts = FontSet(regular: "/no/such/DejaVuSans.ttf", bold: "/no/such/DejaVuSans-Bold.ttf")
        XCTAssertThrowsError(try fig.render()) { error in
            XCTAssertEqual(error as? PlotError, .fontNotFound(path: "/no/such/DejaVuSans.ttf"))
        }
        fig.fonts = .dejaVu
        let url = URL(fileURLWithPath: "/proc/definitely/not/here.png")
        XCTAssertThrowsError(try fig.write(to: url)) { error in
            guard case PlotError.cannotWrite(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }

    func testSubplotsShareColumnEdges() throws {
        let fig = Figure(width: 500, height: 500)
        fig.title = "An overall title"
        let axs = fig.subplots(rows: 2, columns: 1)
        axs[0].line(x: [0, 1], y: [0, 1]); axs[0].yLabel = "small"
        axs[1].line(x: [0, 1], y: [0, 100000]); axs[1].yLabel = "large"; axs[1].title = "Second"
        let r = try fig.render()
        XCTAssertEqual(axs[0].frame?.minX, axs[1].frame?.minX)
        XCTAssertEqual(axs[0].frame?.maxX, axs[1].frame?.maxX)
        XCTAssertLessThan(try XCTUnwrap(axs[0].frame).maxY, try XCTUnwrap(axs[1].frame).minY)
        let suptitle = try XCTUnwrap(r.texts.first { $0.role == .figureTitle })
        XCTAssertLessThan(suptitle.box.maxY, try XCTUnwrap(axs[0].frame).minY)
        assertCleanLayout(r)
    }
}

final class TickTests: XCTestCase {
    func testNiceTicks() {
        XCTAssertEqual(TickLocator.ticks(0, 3, maxBins: 6), [0, 0.5, 1, 1.5, 2, 2.5, 3])
        XCTAssertEqual(TickLocator.ticks(0, 11025, maxBins: 6), [0, 2000, 4000, 6000, 8000, 10000])
        XCTAssertEqual(TickLocator.ticks(-80, 0, maxBins: 9), [-80, -70, -60, -50, -40, -30, -20, -10, 0])
        XCTAssertEqual(TickLocator.ticks(0, 1, maxBins: 4), [0, 0.25, 0.5, 0.75, 1])
        for (lo, hi) in [(0.0, 1.0), (-3.7, 12.2), (1e-4, 3e-4), (0, 400), (-0.6, 0.6)] {
            let t = TickLocator.ticks(lo, hi, maxBins: 7)
            XCTAssertGreaterThanOrEqual(t.count, 2)
            XCTAssertLessThanOrEqual(t.count, 8)
            XCTAssertTrue(t.allSatisfy { $0 >= lo - 1e-12 && $0 <= hi + 1e-12 })
            let step = t[1] - t[0]
            let mantissa = step / pow(10, floor(log10(step)))
            XCTAssertTrue([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step)")
        }
    }

    func testAutoLabels() {
        XCTAssertEqual(TickFormat.autoLabels([0, 0.5, 1, 1.5]), ["0.0", "0.5", "1.0", "1.5"])
        XCTAssertEqual(TickFormat.autoLabels([-0.5, 0, 0.5]), ["\u{2212}0.5", "0.0", "0.5"])
        XCTAssertEqual(TickFormat.autoLabels([0, 0.25, 0.5]), ["0.00", "0.25", "0.50"])
        XCTAssertEqual(TickFormat.autoLabels([0, 2000, 4000]), ["0", "2000", "4000"])
        XCTAssertEqual(TickFormat.printf("%+2.0f dB").labels(for: [-80, 0]), ["-80 dB", "+0 dB"])
    }
}

final class ResampleTests: XCTestCase {
    func testAreaAverageWhenShrinking() {
        // A 1 × 8 checkerboard row shrunk to 4 pixels averages pairs exactly.
        let taps = Resampler.taps(count: 4, inputCount: 8, start: 0, step: 2, interpolation: .smooth)
        let out = Resampler.resample([0, 1, 0, 1, 0, 1, 0, 1], rows: 1, cols: 8,
                                     rowTaps: Resampler.taps(count: 1, inputCount: 1, start: 0, step: 1, interpolation: .smooth),
                                     colTaps: taps)
        XCTAssertEqual(out, [0.5, 0.5, 0.5, 0.5])
        // Shrinking by a non-integer factor still conserves the mean.
        let src = (0..<30).map { Float($0 % 7) }
        let t = Resampler.taps(count: 7, inputCount: 30, start: 0, step: 30.0 / 7, interpolation: .smooth)
        let o = Resampler.resample(src, rows: 1, cols: 30,
                                   rowTaps: Resampler.taps(count: 1, inputCount: 1, start: 0, step: 1, interpolation: .smooth), colTaps: t)
        XCTAssertEqual(o.reduce(0, +) / 7, src.reduce(0, +) / 30, accuracy: 1e-4)
    }

    func testBilinearWhenEnlarging() {
        let taps = Resampler.taps(count: 8, inputCount: 2, start: 0, step: 0.25, interpolation: .smooth)
        let one = Resampler.taps(count: 1, inputCount: 1, start: 0, step: 1, interpolation: .smooth)
        let out = Resampler.resample([0, 1], rows: 1, cols: 2, rowTaps: one, colTaps: taps)
        // Pixel centres at 0.125, 0.375, … 1.875 against cell centres 0.5 and 1.5: constant
        // beyond the cell centres, linear between them.
        XCTAssertEqual(out, [0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1])
    }

    func testNearestKeepsCellsCrisp() {
        let taps = Resampler.taps(count: 6, inputCount: 2, start: 0, step: 1.0 / 3, interpolation: .nearest)
        let one = Resampler.taps(count: 1, inputCount: 1, start: 0, step: 1, interpolation: .nearest)
        XCTAssertEqual(Resampler.resample([3, 7], rows: 1, cols: 2, rowTaps: one, colTaps: taps), [3, 3, 3, 7, 7, 7])
    }
}
