import CFreeType
import Foundation
import Synchronization

// Text through FreeType: glyphs are hinted lightly (vertically only, as matplotlib's Agg backend
// does by default), placed at unhinted advances with kerning and quarter-pixel horizontal
// positions, and rotated by FreeType itself so that rotated text is rendered, not resampled.

public enum FontWeight: Sendable, Hashable {
    case regular, bold
}

/// The font files a figure draws with.
public struct FontSet: Sendable, Equatable {
    public var regular: String
    public var bold: String

    public init(regular: String, bold: String) {
        self.regular = regular
        self.bold = bold
    }

    /// DejaVu Sans (Debian's fonts-dejavu-core), from `$PLOT_FONT_DIR` when set.
    public static var dejaVu: FontSet {
        let dir = ProcessInfo.processInfo.environment["PLOT_FONT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/usr/share/fonts/truetype/dejavu"
        return FontSet(regular: dir + "/DejaVuSans.ttf", bold: dir + "/DejaVuSans-Bold.ttf")
    }

    public func path(_ weight: FontWeight) -> String { weight == .bold ? bold : regular }
}

public enum HorizontalAlignment: Sendable { case left, center, right }
public enum VerticalAlignment: Sendable {
    case top, center, baseline, bottom
    /// The middle between the first baseline and the ascent (digits look centred; matplotlib's
    /// "center_baseline", used for y tick labels). Rotated text falls back to `.center`.
    case centerBaseline
}

/// One font file at one pixel size. Instances are cached and shared; all FreeType calls on a
/// face happen under its lock, so figures may be rendered from several threads.
///
/// `@unchecked Sendable` because the face handle and the glyph caches are mutable state that
/// the compiler cannot see is protected: every access to `face`, `glyphIndices`, `advances`
/// and `bitmaps` after `init` happens inside `lock` (`layout` and `withBitmap`, the only
/// entry points that touch them); the other stored properties are immutable.
public final class Font: @unchecked Sendable {
    public let path: String
    /// The em size in pixels.
    public let pixelSize: Double
    /// Height above the baseline and depth below it of "lp" (matplotlib's measure of a text line).
    public let ascent: Double
    public let descent: Double

    private let face: FT_Face
    private let lock = NSLock()
    private let hasKerning: Bool
    private var glyphIndices: [UInt32: UInt32] = [:]
    private var advances: [UInt32: Double] = [:]
    private var bitmaps: [GlyphKey: GlyphBitmap] = [:]

    private struct GlyphKey: Hashable {
        var glyph: UInt32
        var angle: Int32     // hundredths of a degree
        var subX: UInt8      // quarter-pixel offsets
        var subY: UInt8
    }

    final class GlyphBitmap {
        let left: Int, top: Int, width: Int, rows: Int
        let pixels: [UInt8]
        init(left: Int, top: Int, width: Int, rows: Int, pixels: [UInt8]) {
            self.left = left; self.top = top; self.width = width; self.rows = rows; self.pixels = pixels
        }
    }

    // FreeType load flags (function-like macros in C, so spelled out here).
    private static let loadNoHinting: Int32 = 1 << 1
    private static let loadTargetLight: Int32 = 1 << 16

    /// FreeType's library handle (made on first use) and every loaded font, behind one lock:
    /// FreeType's `FT_New_Face` on one library must not run concurrently.
    private struct Registry {
        var library: FT_Library?
        var fonts: [String: Font] = [:]
    }
    private static let registry = Mutex(Registry())

    /// The font at `path` scaled to `pixelSize` pixels per em; loaded once, then shared.
    public static func load(path: String, pixelSize: Double) throws -> Font {
        let key = "\(path)@\(Int((pixelSize * 64).rounded()))"
        return try registry.withLock { registry throws -> Font in
            if let f = registry.fonts[key] { return f }
            guard FileManager.default.fileExists(atPath: path) else { throw PlotError.fontNotFound(path: path) }
            if registry.library == nil {
                var lib: FT_Library?
                let err = FT_Init_FreeType(&lib)
                guard err == 0, let lib else { throw PlotError.fontUnreadable(path: path, reason: "FreeType failed to start (error \(err))") }
                registry.library = lib
            }
            var face: FT_Face?
            let err = FT_New_Face(registry.library, path, 0, &face)
            guard err == 0, let face else {
                throw PlotError.fontUnreadable(path: path, reason: "FT_New_Face error \(err)")
            }
            let sizeErr = FT_Set_Char_Size(face, 0, FT_F26Dot6((pixelSize * 64).rounded()), 72, 72)
            guard sizeErr == 0 else {
                FT_Done_Face(face)
                throw PlotError.fontUnreadable(path: path, reason: "cannot scale to \(pixelSize) px (error \(sizeErr))")
            }
            let font = Font(path: path, pixelSize: pixelSize, face: face)
            registry.fonts[key] = font
            return font
        }
    }

    private init(path: String, pixelSize: Double, face: FT_Face) {
        self.path = path
        self.pixelSize = pixelSize
        self.face = face
        hasKerning = (face.pointee.face_flags & (1 << 6)) != 0
        func extent(_ ch: Character) -> (top: Double, bottom: Double) {
            let gi = FT_Get_Char_Index(face, FT_ULong(ch.unicodeScalars.first!.value))
            guard FT_Load_Glyph(face, gi, Font.loadNoHinting) == 0 else { return (0.75 * pixelSize, -0.2 * pixelSize) }
            let m = face.pointee.glyph.pointee.metrics
            return (Double(m.horiBearingY) / 64, Double(m.horiBearingY - m.height) / 64)
        }
        ascent = extent("l").top
        descent = -extent("p").bottom
    }

    /// Baseline-to-baseline distance of multi-line text.
    public var lineSpacing: Double { 1.2 * (ascent + descent) }

    private func glyphIndex(_ scalar: Unicode.Scalar) -> UInt32 {
        if let g = glyphIndices[scalar.value] { return g }
        let g = UInt32(FT_Get_Char_Index(face, FT_ULong(scalar.value)))
        glyphIndices[scalar.value] = g
        return g
    }

    private func advance(_ glyph: UInt32) -> Double {
        if let a = advances[glyph] { return a }
        var identity = FT_Matrix(xx: 0x10000, xy: 0, yx: 0, yy: 0x10000)
        var zero = FT_Vector(x: 0, y: 0)
        FT_Set_Transform(face, &identity, &zero)
        var a = 0.0
        if FT_Load_Glyph(face, glyph, Font.loadNoHinting) == 0 {
            a = Double(face.pointee.glyph.pointee.linearHoriAdvance) / 65536
        }
        advances[glyph] = a
        return a
    }

    /// Glyphs and pen positions of one line, unrotated, from its start.
    private func shape(_ line: Substring) -> ShapedLine {
        var glyphs: [UInt32] = []
        var xs: [Double] = []
        var pen = 0.0
        var previous: UInt32 = 0
        for scalar in line.unicodeScalars {
            let g = glyphIndex(scalar)
            if hasKerning && previous != 0 && g != 0 {
                var k = FT_Vector()
                if FT_Get_Kerning(face, previous, g, FT_UInt(FT_KERNING_UNFITTED.rawValue), &k) == 0 {
                    pen += Double(k.x) / 64
                }
            }
            glyphs.append(g)
            xs.append(pen)
            pen += advance(g)
            previous = g
        }
        return ShapedLine(glyphs: glyphs, xs: xs, width: pen)
    }

    /// Lays out `text` (lines separated by "\n").
    public func layout(_ text: String) -> TextLayout {
        lock.lock()
        defer { lock.unlock() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { shape($0) }
        return TextLayout(lines: lines, ascent: ascent, descent: descent, lineSpacing: lineSpacing)
    }

    /// The rendered glyph for a rotation and a sub-pixel offset (quarters of a pixel, FreeType's
    /// y upwards), cached.
    fileprivate func withBitmap<R>(_ glyph: UInt32, angle: Double, subX: Int, subY: Int, _ body: (GlyphBitmap) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        let key = GlyphKey(glyph: glyph, angle: Int32((angle * 100).rounded()), subX: UInt8(subX), subY: UInt8(subY))
        if let b = bitmaps[key] { return body(b) }
        let rad = angle * Double.pi / 180
        let c = FT_Fixed((cos(rad) * 65536).rounded()), s = FT_Fixed((sin(rad) * 65536).rounded())
        var m = FT_Matrix(xx: c, xy: -s, yx: s, yy: c)
        var delta = FT_Vector(x: FT_Pos(subX * 16), y: FT_Pos(subY * 16))
        FT_Set_Transform(face, &m, &delta)
        var bitmap = GlyphBitmap(left: 0, top: 0, width: 0, rows: 0, pixels: [])
        if FT_Load_Glyph(face, glyph, Font.loadTargetLight) == 0,
           FT_Render_Glyph(face.pointee.glyph, FT_RENDER_MODE_NORMAL) == 0 {
            let slot = face.pointee.glyph.pointee
            let bm = slot.bitmap
            let w = Int(bm.width), h = Int(bm.rows), pitch = Int(bm.pitch)
            var px = [UInt8](repeating: 0, count: w * h)
            if let buf = bm.buffer, w > 0, h > 0 {
                for y in 0..<h {
                    let src = pitch >= 0 ? y * pitch : (h - 1 - y) * (-pitch)
                    for x in 0..<w { px[y * w + x] = buf[src + x] }
                }
            }
            bitmap = GlyphBitmap(left: Int(slot.bitmap_left), top: Int(slot.bitmap_top), width: w, rows: h, pixels: px)
        }
        bitmaps[key] = bitmap
        return body(bitmap)
    }
}

struct ShapedLine {
    var glyphs: [UInt32]
    var xs: [Double]
    var width: Double
}

/// Measured text: the box is `width` wide, and from `ascent` above the first baseline to
/// `descent` below the last (matplotlib's convention, independent of the actual letters, so that
/// labels of one axis line up).
public struct TextLayout {
    let lines: [ShapedLine]
    public let ascent: Double
    public let descent: Double
    public let lineSpacing: Double

    public var width: Double { lines.map(\.width).max() ?? 0 }
    public var height: Double { ascent + descent + Double(max(0, lines.count - 1)) * lineSpacing }
    public var isEmpty: Bool { lines.allSatisfy { $0.glyphs.isEmpty } }

    /// The corners of the text box in unrotated text space: origin at the first baseline's left end,
    /// y downwards.
    var localBox: Rect { Rect(x: 0, y: -ascent, width: width, height: height) }

    /// Rotates text-space vector by `angle` degrees counter-clockwise as seen on screen.
    static func rotate(_ x: Double, _ y: Double, _ angle: Double) -> Point {
        if angle == 0 { return Point(x, y) }
        if angle == 90 { return Point(y, -x) }
        let r = angle * Double.pi / 180
        return Point(x * cos(r) + y * sin(r), -x * sin(r) + y * cos(r))
    }

    /// Where the first baseline's start lands, and the device bounding box, when the rotated box is
    /// aligned at `anchor` (alignment applies to the rotated box, like matplotlib's default
    /// rotation mode; `.baseline` means the first baseline for unrotated text, else the bottom).
    func placement(at anchor: Point, horizontal: HorizontalAlignment, vertical: VerticalAlignment,
                   rotation: Double) -> (origin: Point, box: Rect) {
        let b = localBox
        let corners = [Point(b.minX, b.minY), Point(b.maxX, b.minY), Point(b.maxX, b.maxY), Point(b.minX, b.maxY)]
            .map { TextLayout.rotate($0.x, $0.y, rotation) }
        let x0 = corners.map(\.x).min()!, x1 = corners.map(\.x).max()!
        let y0 = corners.map(\.y).min()!, y1 = corners.map(\.y).max()!
        let dx: Double
        switch horizontal {
        case .left: dx = anchor.x - x0
        case .center: dx = anchor.x - (x0 + x1) / 2
        case .right: dx = anchor.x - x1
        }
        let dy: Double
        switch vertical {
        case .top: dy = anchor.y - y0
        case .center: dy = anchor.y - (y0 + y1) / 2
        case .bottom: dy = anchor.y - y1
        case .baseline: dy = rotation == 0 ? anchor.y : anchor.y - y1
        case .centerBaseline: dy = rotation == 0 ? anchor.y + ascent / 2 : anchor.y - (y0 + y1) / 2
        }
        return (Point(dx, dy), Rect(x: x0 + dx, y: y0 + dy, width: x1 - x0, height: y1 - y0))
    }
}

extension Canvas {
    /// Draws `text` with its (rotated) box aligned at `anchor`; returns the box in device space.
    /// Multi-line text is aligned line by line like the box. `rotation` is in degrees,
    /// counter-clockwise (90 reads upwards, as y-axis labels do).
    @discardableResult
    public func draw(text: String, font: Font, at anchor: Point, color: Color = .black,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     rotation: Double = 0, clip: Rect? = nil) -> Rect {
        draw(font.layout(text), font: font, at: anchor, color: color, horizontal: horizontal,
             vertical: vertical, rotation: rotation, clip: clip)
    }

    @discardableResult
    public func draw(_ layout: TextLayout, font: Font, at anchor: Point, color: Color = .black,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     rotation: Double = 0, clip: Rect? = nil) -> Rect {
        var (origin, box) = layout.placement(at: anchor, horizontal: horizontal, vertical: vertical, rotation: rotation)
        // Baselines of horizontal text (and of text turned by 90°) sit on whole pixels so that
        // the vertically hinted glyphs stay crisp.
        if rotation == 0 {
            let snap = origin.y.rounded() - origin.y
            origin.y += snap; box.y += snap
        } else if rotation == 90 {
            let snap = origin.x.rounded() - origin.x
            origin.x += snap; box.x += snap
        }
        let clipRegion = clip.map { PixelRegion(covering: $0) }
        let totalWidth = layout.width
        for (i, line) in layout.lines.enumerated() {
            let lineX: Double
            switch horizontal {
            case .left: lineX = 0
            case .center: lineX = (totalWidth - line.width) / 2
            case .right: lineX = totalWidth - line.width
            }
            let lineY = Double(i) * layout.lineSpacing
            for (g, gx) in zip(line.glyphs, line.xs) {
                let p = TextLayout.rotate(lineX + gx, lineY, rotation)
                let px = origin.x + p.x, py = origin.y + p.y
                var ix = floor(px), iy = floor(py)
                var sx = Int(((px - ix) * 4).rounded()), sy = Int(((py - iy) * 4).rounded())
                if sx == 4 { sx = 0; ix += 1 }
                if sy == 4 { sy = 0; iy += 1 }
                // FreeType's y axis points up: a downward offset of sy/4 is a delta of -sy/4, taken
                // as (4 - sy)/4 from the pixel row above.
                let ftSubY = sy == 0 ? 0 : 4 - sy
                let baseY = sy == 0 ? Int(iy) : Int(iy) + 1
                font.withBitmap(g, angle: rotation, subX: sx, subY: ftSubY) { bm in
                    guard bm.width > 0, bm.rows > 0 else { return }
                    bm.pixels.withUnsafeBufferPointer { buf in
                        composite(alpha: buf, width: bm.width, height: bm.rows, pitch: bm.width,
                                  x: Int(ix) + bm.left, y: baseY - bm.top, color: color, clip: clipRegion)
                    }
                }
            }
        }
        return box
    }
}
