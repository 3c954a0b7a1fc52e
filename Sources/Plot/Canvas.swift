import Foundation

/// An RGBA raster: premultiplied Float components, row-major from the top row, four per pixel.
/// Everything drawn is antialiased by exact area coverage and composited with "source over".
public final class Canvas {
    public let width: Int
    public let height: Int
    /// Premultiplied RGBA, `4 * (y * width + x)` is the red component of pixel (x, y).
    public internal(set) var pixels: [Float]

    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "Canvas(width: \(width), height: \(height)): both must be positive")
        self.width = width
        self.height = height
        let a = background.a
        let px: [Float] = [background.r * a, background.g * a, background.b * a, a]
        pixels = [Float](unsafeUninitializedCapacity: 4 * width * height) { buf, count in
            guard let p = buf.baseAddress else { return }
            let (r, g, b) = (px[0], px[1], px[2])
            var i = 0
            while i < width * height { p[4 * i] = r; p[4 * i + 1] = g; p[4 * i + 2] = b; p[4 * i + 3] = a; i += 1 }
            count = 4 * width * height
        }
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: Double(width), height: Double(height)) }

    /// The colour of pixel (x, y), with straight alpha.
    public subscript(x x: Int, y y: Int) -> Color {
        let i = 4 * (y * width + x)
        let a = pixels[i + 3]
        if a == 0 { return .clear }
        return Color(pixels[i] / a, pixels[i + 1] / a, pixels[i + 2] / a, a)
    }

    var pixelRegion: PixelRegion { PixelRegion(x0: 0, y0: 0, x1: width, y1: height) }

    /// The pixels that drawing clipped to `clip` may touch.
    func region(for bounds: Rect, clip: Rect?) -> PixelRegion {
        var r = PixelRegion(covering: bounds).intersection(pixelRegion)
        if let clip { r = r.intersection(PixelRegion(covering: clip)) }
        return r
    }

    // MARK: Shapes

    /// Fills `path` (non-zero rule) with `color`, limited to the pixels touched by `clip`.
    public func fill(_ path: Path, color: Color, clip: Rect? = nil) {
        guard let b = path.bounds else { return }
        let region = region(for: b, clip: clip)
        guard !region.isEmpty else { return }
        var acc = Accumulator(region: region)
        for poly in path.polygons { acc.add(polygon: poly) }
        var mask = CoverageMask(region: region)
        acc.resolve(into: &mask, combineWithMax: false)
        composite(mask, color: color)
    }

    public func fill(_ rect: Rect, color: Color, clip: Rect? = nil) {
        fill(.rect(rect), color: color, clip: clip)
    }

    /// Strokes an open (or `closed`) polyline of the given width in pixels with round joins.
    /// `dash` alternates on/off lengths in pixels; empty means solid.
    public func stroke(_ polyline: [Point], width: Double, color: Color, dash: [Double] = [],
                       closed: Bool = false, cap: LineCap = .butt, clip: Rect? = nil) {
        guard polyline.count >= 1, width > 0 else { return }
        var lines = [polyline]
        if !dash.isEmpty {
            lines = Stroker.dashes(closed && polyline.count > 1 ? polyline + [polyline[0]] : polyline, pattern: dash)
        }
        var pieces: [[Point]] = []
        for line in lines {
            pieces += Stroker.pieces(line, width: width, closed: closed && dash.isEmpty, cap: cap)
        }
        fillUnion(of: pieces, color: color, clip: clip)
    }

    /// Fills the union of possibly overlapping polygons: each polygon's coverage is computed on its
    /// own and the union takes the per-pixel maximum, so that overlaps are neither doubled nor
    /// cancelled and the colour is composited once.
    func fillUnion(of pieces: [[Point]], color: Color, clip: Rect?) {
        guard let b = Path(pieces).bounds else { return }
        let region = region(for: b, clip: clip)
        guard !region.isEmpty else { return }
        var mask = CoverageMask(region: region)
        for piece in pieces {
            guard let pb = Path(polygon: piece).bounds else { continue }
            let r = PixelRegion(covering: pb).intersection(region)
            if r.isEmpty { continue }
            var acc = Accumulator(region: r)
            acc.add(polygon: piece)
            acc.resolve(into: &mask, combineWithMax: true)
        }
        composite(mask, color: color)
    }

    /// A horizontal run of per-column vertical spans: column `x0 + i` is covered from `tops[i]`
    /// to `bottoms[i]` (device y, top < bottom), with fractional coverage at both ends. This is
    /// how a min/max envelope is drawn at one span per pixel column.
    public func fillColumnSpans(x0: Int, tops: [Double], bottoms: [Double], color: Color, clip: Rect? = nil) {
        precondition(tops.count == bottoms.count, "fillColumnSpans: tops and bottoms differ in length")
        guard !tops.isEmpty else { return }
        let yMin = tops.min()!, yMax = bottoms.max()!
        let bounds = Rect(x: Double(x0), y: yMin, width: Double(tops.count), height: max(0, yMax - yMin))
        let region = region(for: bounds, clip: clip)
        guard !region.isEmpty else { return }
        var mask = CoverageMask(region: region)
        let w = region.width
        for x in region.x0..<region.x1 {
            let i = x - x0
            let top = max(tops[i], Double(region.y0)), bottom = min(bottoms[i], Double(region.y1))
            if bottom <= top { continue }
            let yFirst = Int(floor(top)), yLast = Int(ceil(bottom)) - 1
            for y in yFirst...yLast {
                let c = min(bottom, Double(y + 1)) - max(top, Double(y))
                if c > 0 { mask.coverage[(y - region.y0) * w + (x - region.x0)] = Float(c) }
            }
        }
        composite(mask, color: color)
    }

    // MARK: Compositing

    func composite(_ mask: CoverageMask, color: Color) {
        let r = mask.region
        guard !r.isEmpty, color.a > 0 else { return }
        let ca = color.a, cr = color.r * ca, cg = color.g * ca, cb = color.b * ca
        let w = width
        mask.coverage.withUnsafeBufferPointer { cov in
            pixels.withUnsafeMutableBufferPointer { px in
                for y in r.y0..<r.y1 {
                    let mrow = (y - r.y0) * r.width
                    var i = 4 * (y * w + r.x0)
                    for x in 0..<r.width {
                        let c = cov[mrow + x]
                        if c > 0 {
                            let k = 1 - c * ca
                            px[i] = cr * c + px[i] * k
                            px[i + 1] = cg * c + px[i + 1] * k
                            px[i + 2] = cb * c + px[i + 2] * k
                            px[i + 3] = ca * c + px[i + 3] * k
                        }
                        i += 4
                    }
                }
            }
        }
    }

    /// Composites an 8-bit alpha bitmap (a rendered glyph) with its top-left pixel at (x, y).
    func composite(alpha bitmap: UnsafeBufferPointer<UInt8>, width bw: Int, height bh: Int, pitch: Int,
                   x: Int, y: Int, color: Color, clip: PixelRegion? = nil) {
        var r = PixelRegion(x0: x, y0: y, x1: x + bw, y1: y + bh).intersection(pixelRegion)
        if let clip { r = r.intersection(clip) }
        guard !r.isEmpty else { return }
        let ca = color.a, cr = color.r * ca, cg = color.g * ca, cb = color.b * ca
        let w = width
        pixels.withUnsafeMutableBufferPointer { px in
            for yy in r.y0..<r.y1 {
                let brow = (yy - y) * pitch - x
                var i = 4 * (yy * w + r.x0)
                for xx in r.x0..<r.x1 {
                    let v = bitmap[brow + xx]
                    if v != 0 {
                        let c = Float(v) * (1 / 255)
                        let k = 1 - c * ca
                        px[i] = cr * c + px[i] * k
                        px[i + 1] = cg * c + px[i + 1] * k
                        px[i + 2] = cb * c + px[i + 2] * k
                        px[i + 3] = ca * c + px[i + 3] * k
                    }
                    i += 4
                }
            }
        }
    }

    /// Copies opaque RGB pixels (straight, 3 floats per pixel, `w × h`, top row first) so that
    /// their top-left pixel lands at (x, y); pixels outside the canvas or `clip` are skipped.
    public func blit(rgb: [Float], width w: Int, height h: Int, x: Int, y: Int, clip: Rect? = nil) {
        precondition(rgb.count == 3 * w * h, "blit: \(rgb.count) floats for a \(w)×\(h) RGB block")
        var r = PixelRegion(x0: x, y0: y, x1: x + w, y1: y + h).intersection(pixelRegion)
        if let clip { r = r.intersection(PixelRegion(covering: clip)) }
        guard !r.isEmpty else { return }
        let cw = width
        rgb.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { px in
                for yy in r.y0..<r.y1 {
                    var s = 3 * ((yy - y) * w + (r.x0 - x))
                    var i = 4 * (yy * cw + r.x0)
                    for _ in r.x0..<r.x1 {
                        px[i] = src[s]; px[i + 1] = src[s + 1]; px[i + 2] = src[s + 2]; px[i + 3] = 1
                        s += 3; i += 4
                    }
                }
            }
        }
    }

    // MARK: Export

    /// 8-bit straight-alpha RGBA or RGB bytes, top row first, rounded to nearest.
    public func bytes(alpha: Bool) -> [UInt8] {
        let n = width * height
        let ch = alpha ? 4 : 3
        return [UInt8](unsafeUninitializedCapacity: n * ch) { out, count in
            pixels.withUnsafeBufferPointer { buffer in
                // While loops over raw pointers: this runs once per pixel of every figure, and
                // debug builds (the tests) would spend most of their plotting time in range iterators.
                guard let px = buffer.baseAddress, let o = out.baseAddress else { return }
                @inline(__always) func byte(_ v: Float) -> UInt8 { v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(v)) }
                var i = 0
                while i < n {
                    let p = px + 4 * i, q = o + ch * i
                    let a = p[3]
                    // Premultiplied → straight; an opaque canvas (the usual case) needs no division.
                    let inv: Float = a >= 1 ? 1 : (a > 0 ? 1 / a : 0)
                    q[0] = byte(p[0] * inv * 255 + 0.5)
                    q[1] = byte(p[1] * inv * 255 + 0.5)
                    q[2] = byte(p[2] * inv * 255 + 0.5)
                    if alpha { q[3] = byte(a * 255 + 0.5) }
                    i += 1
                }
            }
            count = n * ch
        }
    }

    /// True when every pixel is opaque to 8 bits (then PNGs are written without an alpha channel).
    public var isOpaque: Bool {
        var i = 3
        while i < pixels.count {
            if pixels[i] < 1 - 0.5 / 255 { return false }
            i += 4
        }
        return true
    }
}
