import Foundation
import XCTest
@testable import Plot
import TestSupport

final class CanvasTests: XCTestCase {
    /// Darkness (1 − red) of a pixel drawn in black on white: its coverage.
    func ink(_ c: Canvas, _ x: Int, _ y: Int) -> Double { 1 - Double(c[x: x, y: y].r) }

    func testRectangleCoverageIsExactArea() {
        let c = Canvas(width: 30, height: 30)
        c.fill(Rect(x: 10.5, y: 10, width: 5, height: 4.25), color: .black)
        XCTAssertEqual(ink(c, 10, 11), 0.5, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 12, 11), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 15, 11), 0.5, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 12, 14), 0.25, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 15, 14), 0.125, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 9, 11), 0, accuracy: 1e-6)
        XCTAssertEqual(ink(c, 12, 15), 0, accuracy: 1e-6)
    }

    func testPolygonCoverageSumsToItsArea() {
        let c = Canvas(width: 64, height: 64)
        let tri = [Point(3.3, 5.7), Point(57.1, 20.2), Point(20.9, 60.4)]
        c.fill(Path(polygon: tri), color: .black)
        var total = 0.0
        for y in 0..<64 { for x in 0..<64 { total += ink(c, x, y) } }
        let area = abs((tri[1].x - tri[0].x) * (tri[2].y - tri[0].y) - (tri[2].x - tri[0].x) * (tri[1].y - tri[0].y)) / 2
        XCTAssertEqual(total, area, accuracy: area * 2e-3)
    }

    func testShapesPartlyOffCanvasAreClipped() {
        let c = Canvas(width: 20, height: 20)
        c.fill(Rect(x: -50, y: 5, width: 60, height: 5), color: .black)
        XCTAssertEqual(ink(c, 0, 7), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 9, 7), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 10, 7), 0, accuracy: 1e-6)
        let clipped = Canvas(width: 20, height: 20)
        clipped.fill(Rect(x: 2, y: 2, width: 16, height: 16), color: .black, clip: Rect(x: 5, y: 5, width: 5, height: 5))
        XCTAssertEqual(ink(clipped, 4, 6), 0, accuracy: 1e-6)
        XCTAssertEqual(ink(clipped, 5, 6), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(clipped, 10, 6), 0, accuracy: 1e-6)
    }

    /// Property: a polygon with vertices on, near and past the canvas edges never writes outside
    /// the canvas (the rasteriser's running x may drift by an ulp past an edge that lies on
    /// column 0), and every pixel's coverage stays in [0, 1].
    func testEdgesOnTheCanvasBorderStayInside() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let w = 37, h = 23
        let xs = [0, 1e-12, -1e-12, Double(w), Double(w) - 1e-12, Double(w) + 1e-9, 0.3, 17.7]
        for _ in 0..<4000 {
            let c = Canvas(width: w, height: h)
            let pts = (0..<3).map { _ in Point(xs[Int(next() * Double(xs.count))] + (next() < 0.5 ? 0 : next() * 3),
                                               next() * Double(h + 4) - 2) }
            c.fill(Path(polygon: pts), color: .black)
            c.stroke([Point(0, next() * Double(h)), Point(next() * 1e-9, next() * Double(h))], width: 1.5, color: .black)
            for y in 0..<h { for x in 0..<w { XCTAssert((-1e-5...1.00001).contains(ink(c, x, y))) } }
        }
    }

    func testHorizontalStrokeCoversItsRow() {
        let c = Canvas(width: 60, height: 40)
        c.stroke([Point(5, 20.5), Point(50, 20.5)], width: 1, color: .black)
        for x in 5..<50 {
            XCTAssertEqual(ink(c, x, 20), 1, accuracy: 1e-5, "x = \(x)")
            XCTAssertEqual(ink(c, x, 19), 0, accuracy: 1e-6)
            XCTAssertEqual(ink(c, x, 21), 0, accuracy: 1e-6)
        }
    }

    /// A translucent polyline turning sharply must not darken where its pieces overlap: the
    /// stroke is one shape composited once.
    func testOverlappingStrokePiecesAreCompositedOnce() {
        let c = Canvas(width: 60, height: 60)
        c.stroke([Point(5, 5), Point(50, 30), Point(5, 55)], width: 6, color: Color(0, 0, 0, 0.5))
        var darkest = 0.0
        for y in 0..<60 { for x in 0..<60 { darkest = max(darkest, ink(c, x, y)) } }
        XCTAssertEqual(darkest, 0.5, accuracy: 1e-4)
    }

    func testDashedStrokeLeavesGaps() {
        let c = Canvas(width: 60, height: 10)
        c.stroke([Point(0, 5.5), Point(60, 5.5)], width: 1, color: .black, dash: [4, 4])
        XCTAssertEqual(ink(c, 1, 5), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 5, 5), 0, accuracy: 1e-6)
        XCTAssertEqual(ink(c, 9, 5), 1, accuracy: 1e-5)
    }

    func testColumnSpans() {
        let c = Canvas(width: 10, height: 20)
        c.fillColumnSpans(x0: 2, tops: [5, 5.5], bottoms: [10, 6], color: .black)
        XCTAssertEqual(ink(c, 2, 7), 1, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 3, 5), 0.5, accuracy: 1e-5)
        XCTAssertEqual(ink(c, 3, 6), 0, accuracy: 1e-6)
    }

    func testDesaturateMatchesSeaborn() {
        // seaborn 0.13: desaturate("#4C72B0", .75) == (0.347059, 0.458824, 0.641176).
        let c = Color(hex: "#4C72B0").desaturated(0.75)
        XCTAssertEqual(Double(c.r), 0.347059, accuracy: 1e-5)
        XCTAssertEqual(Double(c.g), 0.458824, accuracy: 1e-5)
        XCTAssertEqual(Double(c.b), 0.641176, accuracy: 1e-5)
    }
}

final class PNGTests: XCTestCase {
    func sampleCanvas() -> Canvas {
        let c = Canvas(width: 97, height: 61)
        c.fill(Path.circle(center: Point(40, 30), radius: 20), color: Color(hex: "#4C72B0"))
        c.stroke([Point(2, 2), Point(90, 55), Point(95, 3)], width: 2.5, color: Color(hex: "#dd8452"))
        c.fill(Rect(x: 60.3, y: 10.7, width: 20, height: 8), color: Color(0.2, 0.8, 0.3, 0.6))
        return c
    }

    func testPNGDecodesToTheSamePixels() throws {
        let c = sampleCanvas()
        for compression in [PNG.Compression.fast, .best] {
            let data = try c.pngData(compression: compression)
            let decoded = try XCTUnwrap(decodePNG(data))
            XCTAssertEqual(decoded.width, 97)
            XCTAssertEqual(decoded.height, 61)
            let rgb = c.bytes(alpha: false)
            var expected: [UInt8] = []
            for i in 0..<(97 * 61) { expected += [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255] }
            XCTAssertEqual(decoded.rgba, expected)
        }
    }

    func testTranslucentCanvasKeepsAlpha() throws {
        let c = Canvas(width: 8, height: 8, background: .clear)
        c.fill(Rect(x: 0, y: 0, width: 4, height: 8), color: Color(1, 0, 0, 0.5))
        let decoded = try XCTUnwrap(decodePNG(try c.pngData()))
        XCTAssertEqual(Array(decoded.rgba[0..<4]), [255, 0, 0, 128])
        XCTAssertEqual(Array(decoded.rgba[16..<20]), [0, 0, 0, 0])
    }

    func testSameInputGivesSameBytes() throws {
        XCTAssertEqual(try sampleCanvas().pngData(), try sampleCanvas().pngData())
    }

    func testAtomicWriteAndUnwritablePath() throws {
        let dir = try SharedData.temporaryDirectory("plot-png")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.png")
        try sampleCanvas().write(to: url)
        XCTAssertNotNil(decodePNG(try Data(contentsOf: url)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["x.png"], "no temporary file left")

        let bad = dir.appendingPathComponent("no/such/folder/x.png")
        XCTAssertThrowsError(try sampleCanvas().write(to: bad)) { error in
            guard case PlotError.cannotWrite(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, bad.path)
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }
}

final class TextTests: XCTestCase {
    func testMissingFontIsAClearError() {
        XCTAssertThrowsError(try Font.load(path: "/nonexistent/DejaVuSans.ttf", pixelSize: 14)) { error in
            XCTAssertEqual(error as? PlotError, .fontNotFound(path: "/nonexistent/DejaVuSans.ttf"))
            XCTAssertTrue("\(error)".contains("fonts-dejavu-core"))
        }
    }

    func testTextInkStaysInsideItsBox() throws {
        let font = try Font.load(path: FontSet.dejaVu.regular, pixelSize: 13.9)
        for rotation in [0.0, 90.0, 30.0] {
            let c = Canvas(width: 200, height: 200)
            let box = c.draw(text: "Qualität 0.25 gjpy", font: font, at: Point(100, 100), horizontal: .center,
                             vertical: .center, rotation: rotation)
            var ink = Rect(x: 1e9, y: 1e9, width: -2e9, height: -2e9)
            var any = false
            for y in 0..<200 { for x in 0..<200 where c[x: x, y: y].r < 0.99 {
                any = true
                ink = any && ink.width < 0 ? Rect(x: Double(x), y: Double(y), width: 1, height: 1)
                    : ink.union(Rect(x: Double(x), y: Double(y), width: 1, height: 1))
            } }
            XCTAssertTrue(any)
            // The box follows matplotlib ("lp" height), so accents may poke out by a little.
            XCTAssertTrue(box.insetBy(dx: -2, dy: -4).contains(ink), "rotation \(rotation): ink \(ink) box \(box)")
            if rotation == 90 { XCTAssertGreaterThan(box.height, box.width) }
            if rotation == 0 { XCTAssertGreaterThan(box.width, 100) }
        }
    }

    func testWiderTextMeasuresWider() throws {
        let font = try Font.load(path: FontSet.dejaVu.regular, pixelSize: 13.9)
        XCTAssertLessThan(font.layout("1.0").width, font.layout("10.0").width)
        XCTAssertEqual(font.layout("a\nb").height, font.layout("a").height + font.lineSpacing, accuracy: 1e-9)
    }
}

final class ColormapTests: XCTestCase {
    func assertColor(_ c: Color, _ r: Float, _ g: Float, _ b: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(c.r, r, accuracy: 1e-6, file: file, line: line)
        XCTAssertEqual(c.g, g, accuracy: 1e-6, file: file, line: line)
        XCTAssertEqual(c.b, b, accuracy: 1e-6, file: file, line: line)
    }

    /// Reference values from matplotlib 3.11 (`matplotlib.colormaps[name](x)`).
    func testEndpointsAndMidpointEqualMatplotlib() {
        XCTAssertEqual(Colormap.magma.count, 256)
        assertColor(Colormap.magma.color(at: 0), 0.001462, 0.000466, 0.013866)
        assertColor(Colormap.magma.color(at: 0.5), 0.716387, 0.214982, 0.47529)
        assertColor(Colormap.magma.color(at: 1), 0.987053, 0.991438, 0.749504)
        assertColor(Colormap.magma[127], 0.709962, 0.212797, 0.477201)
        assertColor(Colormap.viridis.color(at: 0), 0.267004, 0.004874, 0.329415)
        assertColor(Colormap.viridis.color(at: 0.5), 0.127568, 0.566949, 0.550556)
        assertColor(Colormap.viridis.color(at: 1), 0.993248, 0.906157, 0.143936)
        assertColor(Colormap.blues.color(at: 0), 0.968627, 0.984314, 1.0)
        assertColor(Colormap.blues.color(at: 0.5), 0.417086, 0.680631, 0.838231)
        assertColor(Colormap.blues.color(at: 1), 0.031373, 0.188235, 0.419608)
        // Out of range clamps; NaN is transparent.
        assertColor(Colormap.magma.color(at: -3), 0.001462, 0.000466, 0.013866)
        XCTAssertEqual(Colormap.magma.color(at: .nan).a, 0)
    }

    func testDeepPalette() {
        XCTAssertEqual(Palette.deep.count, 10)
        XCTAssertEqual(Palette.deep[0], Color(hex: "#4c72b0"))
        XCTAssertEqual(Palette.deep[6], Color(hex: "#da8bc3"))
    }
}
