import Foundation

// Device-space geometry and colours. Device space is the canvas: x to the right, y downwards,
// one unit per pixel, pixel (i, j) covering [i, i+1) × [j, j+1).

/// A point in device (pixel) coordinates.
public struct Point: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned rectangle in device coordinates (y downwards, so `minY` is the top edge).
public struct Rect: Equatable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// The rectangle spanning two corners given in any order.
    public init(corners a: Point, _ b: Point) {
        x = min(a.x, b.x); y = min(a.y, b.y)
        width = abs(a.x - b.x); height = abs(a.y - b.y)
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    /// True when `other` lies within this rectangle (edges may touch).
    public func contains(_ other: Rect, tolerance: Double = 1e-9) -> Bool {
        other.minX >= minX - tolerance && other.maxX <= maxX + tolerance
            && other.minY >= minY - tolerance && other.maxY <= maxY + tolerance
    }
    /// True when the interiors overlap (touching edges do not count).
    public func intersects(_ other: Rect) -> Bool {
        minX < other.maxX && other.minX < maxX && minY < other.maxY && other.minY < maxY
    }
    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(minX, other.minX), y0 = max(minY, other.minY)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }
    public func union(_ other: Rect) -> Rect {
        let x0 = min(minX, other.minX), y0 = min(minY, other.minY)
        return Rect(x: x0, y: y0, width: max(maxX, other.maxX) - x0, height: max(maxY, other.maxY) - y0)
    }
    public func insetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }
    public func offsetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width, height: height)
    }
    public var description: String {
        func f(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
        return "Rect(x: \(f(x)), y: \(f(y)), w: \(f(width)), h: \(f(height)))"
    }
}

/// An sRGB colour with straight (not premultiplied) alpha, components in 0...1.
public struct Color: Equatable, Hashable, Sendable {
    public var r: Float
    public var g: Float
    public var b: Float
    public var a: Float

    public init(_ r: Float, _ g: Float, _ b: Float, _ a: Float = 1) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }
    public init(r: Float, g: Float, b: Float, a: Float = 1) { self.init(r, g, b, a) }

    /// `"#rrggbb"` or `"#rrggbbaa"` (the `#` is optional). An ill-formed string is a programming
    /// error, so it traps with the offending text.
    public init(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        guard s.count == 6 || s.count == 8, let v = UInt32(s, radix: 16) else {
            preconditionFailure("Color(hex:): \"\(hex)\" is not #rrggbb or #rrggbbaa")
        }
        let full = s.count == 6 ? (v << 8) | 0xFF : v
        self.init(Float((full >> 24) & 0xFF) / 255, Float((full >> 16) & 0xFF) / 255,
                  Float((full >> 8) & 0xFF) / 255, Float(full & 0xFF) / 255)
    }

    /// A grey level, like matplotlib's `"0.8"` colour strings.
    public init(gray: Float, alpha: Float = 1) { self.init(gray, gray, gray, alpha) }

    public func withAlpha(_ alpha: Float) -> Color { Color(r, g, b, alpha) }

    /// WCAG relative luminance, the measure seaborn uses to pick black or white annotation text.
    public var relativeLuminance: Double {
        func lin(_ c: Float) -> Double {
            let c = Double(c)
            return c <= 0.03928 ? c / 12.92 : Foundation.pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// The colour with its HLS saturation multiplied by `factor` (seaborn's `desaturate`,
    /// applied with 0.75 to bar and box colours).
    public func desaturated(_ factor: Double) -> Color {
        // RGB → HLS as in Python's colorsys.
        let r = Double(self.r), g = Double(self.g), b = Double(self.b)
        let maxc = Swift.max(r, g, b), minc = Swift.min(r, g, b)
        let l = (minc + maxc) / 2
        if minc == maxc { return self }
        var s = l <= 0.5 ? (maxc - minc) / (maxc + minc) : (maxc - minc) / (2 - maxc - minc)
        let rc = (maxc - r) / (maxc - minc), gc = (maxc - g) / (maxc - minc), bc = (maxc - b) / (maxc - minc)
        var h: Double
        if r == maxc { h = bc - gc } else if g == maxc { h = 2 + rc - bc } else { h = 4 + gc - rc }
        h = (h / 6).truncatingRemainder(dividingBy: 1)
        if h < 0 { h += 1 }
        s *= factor
        // HLS → RGB.
        let m2 = l <= 0.5 ? l * (1 + s) : l + s - l * s
        let m1 = 2 * l - m2
        func v(_ hue: Double) -> Float {
            var hue = hue.truncatingRemainder(dividingBy: 1)
            if hue < 0 { hue += 1 }
            if hue < 1.0 / 6 { return Float(m1 + (m2 - m1) * hue * 6) }
            if hue < 0.5 { return Float(m2) }
            if hue < 2.0 / 3 { return Float(m1 + (m2 - m1) * (2.0 / 3 - hue) * 6) }
            return Float(m1)
        }
        return Color(v(h + 1.0 / 3), v(h), v(h - 1.0 / 3), a)
    }

    public static let black = Color(0, 0, 0)
    public static let white = Color(1, 1, 1)
    public static let clear = Color(0, 0, 0, 0)
}
