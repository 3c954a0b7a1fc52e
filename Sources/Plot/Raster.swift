import Foundation

// Antialiased scan conversion by signed-area accumulation (the method of libart and font-rs):
// every polygon edge adds, to each pixel row it crosses, the area it covers to its right and the
// change of winding it causes; a prefix sum along the row then gives each pixel's exact coverage.
// Coverage is |winding| clamped to 1, the non-zero rule for shapes whose parts wind the same way.

/// Closed polygons in device coordinates, filled with the non-zero rule.
public struct Path: Sendable {
    public var polygons: [[Point]]

    public init(_ polygons: [[Point]] = []) { self.polygons = polygons }
    public init(polygon: [Point]) { polygons = [polygon] }

    public static func rect(_ r: Rect) -> Path {
        Path(polygon: [Point(r.minX, r.minY), Point(r.maxX, r.minY), Point(r.maxX, r.maxY), Point(r.minX, r.maxY)])
    }

    /// A circle approximated by a regular polygon fine enough that its error stays below 1/20 px.
    public static func circle(center: Point, radius: Double) -> Path {
        Path(polygon: circlePolygon(center: center, radius: radius))
    }

    static func circlePolygon(center: Point, radius: Double) -> [Point] {
        // Sagitta r(1 - cos(π/n)) ≤ 0.05 px  ⇒  n ≥ π / acos(1 - 0.05/r).
        let n = radius <= 0.05 ? 4 : max(8, min(256, Int((Double.pi / acos(max(-1, 1 - 0.05 / radius))).rounded(.up))))
        return (0..<n).map { i in
            let t = 2 * Double.pi * Double(i) / Double(n)
            return Point(center.x + radius * cos(t), center.y + radius * sin(t))
        }
    }

    /// The smallest rectangle holding every vertex, or nil for an empty path.
    public var bounds: Rect? {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for poly in polygons {
            for p in poly {
                x0 = min(x0, p.x); y0 = min(y0, p.y); x1 = max(x1, p.x); y1 = max(y1, p.y)
            }
        }
        return x0 <= x1 ? Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }
}

/// Whole-pixel region [x0, x1) × [y0, y1).
struct PixelRegion: Equatable {
    var x0: Int, y0: Int, x1: Int, y1: Int
    var width: Int { x1 - x0 }
    var height: Int { y1 - y0 }
    var isEmpty: Bool { x1 <= x0 || y1 <= y0 }

    /// The pixels touched by `rect`.
    init(covering rect: Rect) {
        x0 = Int(floor(rect.minX)); y0 = Int(floor(rect.minY))
        x1 = Int(ceil(rect.maxX)); y1 = Int(ceil(rect.maxY))
    }
    init(x0: Int, y0: Int, x1: Int, y1: Int) { self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1 }

    func intersection(_ o: PixelRegion) -> PixelRegion {
        PixelRegion(x0: max(x0, o.x0), y0: max(y0, o.y0), x1: min(x1, o.x1), y1: min(y1, o.y1))
    }
}

/// Per-pixel coverage (0...1) over a region of the canvas.
struct CoverageMask {
    let region: PixelRegion
    var coverage: [Float]

    init(region: PixelRegion) {
        self.region = region
        coverage = [Float](repeating: 0, count: max(0, region.width * region.height))
    }
}

/// Accumulation buffer for one region; rows have two spare cells so that edges clamped to the
/// right border never index past the row.
struct Accumulator {
    let region: PixelRegion
    let stride: Int
    var cells: [Float]

    init(region: PixelRegion) {
        self.region = region
        stride = region.width + 2
        cells = [Float](repeating: 0, count: stride * max(0, region.height))
    }

    mutating func add(polygon: [Point]) {
        guard polygon.count >= 3 else { return }
        var prev = polygon[polygon.count - 1]
        for p in polygon {
            addEdge(prev, p)
            prev = p
        }
    }

    /// Adds the directed edge a→b, clipped to the region: parts left of it are moved onto its left
    /// border (they still change the winding of every pixel to their right), parts right of it onto
    /// its right border, where they affect nothing visible.
    mutating func addEdge(_ a: Point, _ b: Point) {
        let w = Double(region.width), h = Double(region.height)
        var ax = a.x - Double(region.x0), ay = a.y - Double(region.y0)
        var bx = b.x - Double(region.x0), by = b.y - Double(region.y0)
        if ay == by || (ay <= 0 && by <= 0) || (ay >= h && by >= h) { return }
        if !(ax.isFinite && ay.isFinite && bx.isFinite && by.isFinite) { return }
        // Clip in y first so that huge off-canvas coordinates do not cost x-splitting work.
        if ay < 0 || by < 0 || ay > h || by > h {
            let dxdy = (bx - ax) / (by - ay)
            func clampY(_ x: inout Double, _ y: inout Double) {
                let yc = min(max(y, 0), h)
                if yc != y { x += (yc - y) * dxdy; y = yc }
            }
            clampY(&ax, &ay); clampY(&bx, &by)
        }
        // Split where the edge crosses x = 0 and x = w.
        var ts: [Double] = [0, 1]
        let dx = bx - ax
        if dx != 0 {
            for edge in [0.0, w] {
                let t = (edge - ax) / dx
                if t > 0 && t < 1 { ts.append(t) }
            }
            if ts.count > 2 { ts.sort() }
        }
        for i in 0..<(ts.count - 1) {
            let t0 = ts[i], t1 = ts[i + 1]
            var x0 = ax + dx * t0, x1 = ax + dx * t1
            let y0 = ay + (by - ay) * t0, y1 = ay + (by - ay) * t1
            let mid = (x0 + x1) / 2
            if mid <= 0 { x0 = 0; x1 = 0 } else if mid >= w { x0 = w; x1 = w }
            x0 = min(max(x0, 0), w); x1 = min(max(x1, 0), w)
            line(x0, y0, x1, y1)
        }
    }

    /// font-rs's `draw_line` for an edge inside [0, w] × [0, h].
    private mutating func line(_ p0x: Double, _ p0y: Double, _ p1x: Double, _ p1y: Double) {
        if p0y == p1y { return }
        let dir: Float
        let ax, ay, bx, by: Double
        if p0y < p1y { (ax, ay, bx, by, dir) = (p0x, p0y, p1x, p1y, 1) } else { (ax, ay, bx, by, dir) = (p1x, p1y, p0x, p0y, -1) }
        let dxdy = (bx - ax) / (by - ay)
        var x = ax
        let yStart = max(0, Int(floor(ay)))
        let yEnd = min(region.height, Int(ceil(by)))
        if yStart >= yEnd { return }
        let s = stride
        cells.withUnsafeMutableBufferPointer { acc in
            for y in yStart..<yEnd {
                let row = y * s
                let dy = min(Double(y + 1), by) - max(Double(y), ay)
                // The edge's ends lie in [0, w]; the running sum may drift past them by an ulp,
                // which would reach the cell before column 0 (before the buffer in the first row).
                let xnext = min(max(x + dxdy * dy, 0), Double(region.width))
                let d = Float(dy) * dir
                let (x0, x1) = x < xnext ? (x, xnext) : (xnext, x)
                let x0floor = floor(x0)
                let x0i = Int(x0floor)
                let x1ceil = ceil(x1)
                let x1i = Int(x1ceil)
                if x1i <= x0i + 1 {
                    let xmf = Float(0.5 * (x + xnext) - x0floor)
                    acc[row + x0i] += d - d * xmf
                    acc[row + x0i + 1] += d * xmf
                } else {
                    let sInv = Float(1 / (x1 - x0))
                    let x0f = Float(x0 - x0floor)
                    let a0 = 0.5 * sInv * (1 - x0f) * (1 - x0f)
                    let x1f = Float(x1 - x1ceil + 1)
                    let am = 0.5 * sInv * x1f * x1f
                    acc[row + x0i] += d * a0
                    if x1i == x0i + 2 {
                        acc[row + x0i + 1] += d * (1 - a0 - am)
                    } else {
                        let a1 = sInv * (1.5 - x0f)
                        acc[row + x0i + 1] += d * (a1 - a0)
                        var xi = x0i + 2
                        while xi < x1i - 1 {
                            acc[row + xi] += d * sInv
                            xi += 1
                        }
                        let a2 = a1 + Float(x1i - x0i - 3) * sInv
                        acc[row + x1i - 1] += d * (1 - a2 - am)
                    }
                    acc[row + x1i] += d * am
                }
                x = xnext
            }
        }
    }

    /// Writes the coverage of each pixel into `mask` (whose region contains this one), either
    /// replacing or taking the maximum with what is there.
    func resolve(into mask: inout CoverageMask, combineWithMax: Bool) {
        let m = mask.region
        let w = region.width
        let s = stride
        cells.withUnsafeBufferPointer { acc in
            mask.coverage.withUnsafeMutableBufferPointer { out in
                for y in 0..<region.height {
                    var sum: Float = 0
                    let row = y * s
                    let outRow = (y + region.y0 - m.y0) * m.width + (region.x0 - m.x0)
                    for x in 0..<w {
                        sum += acc[row + x]
                        var c = abs(sum)
                        if c > 1 { c = 1 } else if c < 1.0 / 1024 { c = 0 }
                        if combineWithMax {
                            if c > out[outRow + x] { out[outRow + x] = c }
                        } else {
                            out[outRow + x] = c
                        }
                    }
                }
            }
        }
    }
}

/// How a stroke ends.
public enum LineCap: Sendable {
    case butt, round, square
}

enum Stroker {
    /// Polygons whose union is the stroke of `polyline`: a quadrilateral per segment and a disc at
    /// every joint (round joins), plus the caps. The union is taken by the caller, per pixel, as the
    /// maximum of the pieces' coverages, which keeps shared edges from being counted twice.
    static func pieces(_ polyline: [Point], width: Double, closed: Bool, cap: LineCap) -> [[Point]] {
        var pts: [Point] = []
        pts.reserveCapacity(polyline.count + 1)
        for p in polyline where p.x.isFinite && p.y.isFinite {
            if let last = pts.last, last.x == p.x, last.y == p.y { continue }
            pts.append(p)
        }
        let r = width / 2
        guard r > 0 else { return [] }
        if pts.count == 1 {
            return cap == .butt ? [] : [Path.circlePolygon(center: pts[0], radius: r)]
        }
        if closed, let first = pts.first { pts.append(first) }
        guard pts.count >= 2 else { return [] }
        var out: [[Point]] = []
        out.reserveCapacity(2 * pts.count)
        let n = pts.count
        for i in 0..<(n - 1) {
            var a = pts[i], b = pts[i + 1]
            let dx = b.x - a.x, dy = b.y - a.y
            let len = (dx * dx + dy * dy).squareRoot()
            let ux = dx / len, uy = dy / len
            if cap == .square && !closed {
                if i == 0 { a = Point(a.x - ux * r, a.y - uy * r) }
                if i == n - 2 { b = Point(b.x + ux * r, b.y + uy * r) }
            }
            let nx = -uy * r, ny = ux * r
            out.append([Point(a.x + nx, a.y + ny), Point(b.x + nx, b.y + ny),
                        Point(b.x - nx, b.y - ny), Point(a.x - nx, a.y - ny)])
        }
        let joints = closed ? Array(0..<(n - 1)) : Array(1..<(n - 1))
        for i in joints { out.append(Path.circlePolygon(center: pts[i], radius: r)) }
        if cap == .round && !closed {
            out.append(Path.circlePolygon(center: pts[0], radius: r))
            out.append(Path.circlePolygon(center: pts[n - 1], radius: r))
        }
        return out
    }

    /// Cuts `polyline` into the "on" parts of a dash pattern (lengths in pixels, on/off alternating).
    static func dashes(_ polyline: [Point], pattern: [Double]) -> [[Point]] {
        guard pattern.count >= 2, pattern.allSatisfy({ $0 >= 0 }), pattern.reduce(0, +) > 0 else { return [polyline] }
        var result: [[Point]] = []
        var index = 0
        var remaining = pattern[0]
        var on = true
        var current: [Point] = polyline.isEmpty ? [] : [polyline[0]]
        for i in 0..<max(0, polyline.count - 1) {
            var a = polyline[i]
            let b = polyline[i + 1]
            var segLen = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            while segLen > 0 {
                if remaining >= segLen {
                    remaining -= segLen
                    if on { current.append(b) }
                    segLen = 0
                } else {
                    let t = remaining / segLen
                    let p = Point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
                    if on {
                        current.append(p)
                        result.append(current)
                        current = []
                    } else {
                        current = [p]
                    }
                    segLen -= remaining
                    a = p
                    on.toggle()
                    index = (index + 1) % pattern.count
                    remaining = pattern[index]
                }
            }
        }
        if on && current.count >= 2 { result.append(current) }
        return result
    }
}
