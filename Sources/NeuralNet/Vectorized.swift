// Float32 fast paths for the elementwise loops around the GEMMs (ReLU, its mask, max-pool's
// running max), written with explicit SIMD so they vectorise without branches. The generic
// (Float64) versions used by the gradient checks compute the same values with scalar code.

typealias F16 = SIMD16<Float>

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}
@inline(__always) func store16(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
}

enum Vectorized {
    /// y = max(x, 0)
    @inline(__always)
    static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = F16(repeating: 0)
        while i + 16 <= n {
            let v = load16(x + i)
            store16(v.replacing(with: zero, where: v .<= zero), y + i)
            i += 16
        }
        while i < n { y[i] = x[i] > 0 ? x[i] : 0; i += 1 }
    }

    /// dx = pre > 0 ? dy : 0
    @inline(__always)
    static func reluBackward(_ pre: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = F16(repeating: 0)
        while i + 16 <= n {
            let p = load16(pre + i), d = load16(dy + i)
            store16(d.replacing(with: zero, where: p .<= zero), dx + i)
            i += 16
        }
        while i < n { dx[i] = pre[i] > 0 ? dy[i] : 0; i += 1 }
    }

    /// Columns lo..<hi of an (m × n) gradient: dpre = relu ? (pre > 0 ? dact : 0) : dact, and
    /// db[o] += dpre[r, o] for r = 0..<m in order. Row by row (streaming), db stays in L1.
    @inline(__always)
    static func maskAndSumColumns(_ dact: UnsafePointer<Float>, _ pre: UnsafePointer<Float>, _ dpre: UnsafeMutablePointer<Float>,
                                  _ db: UnsafeMutablePointer<Float>, m: Int, n: Int, lo: Int, hi: Int, relu: Bool) {
        let zero = F16(repeating: 0)
        for r in 0..<m {
            let base = r * n
            var o = lo
            while o + 16 <= hi {
                let i = base + o
                var g = load16(dact + i)
                if relu { g = g.replacing(with: zero, where: load16(pre + i) .<= zero) }
                store16(g, dpre + i)
                store16(load16(db + o) + g, db + o)
                o += 16
            }
            while o < hi {
                let i = base + o
                let g = !relu || pre[i] > 0 ? dact[i] : 0
                dpre[i] = g
                db[o] += g
                o += 1
            }
        }
    }

    /// Running max over one time step of a pooling window: where x > y (strictly, so the first
    /// maximum wins ties) set y = x and argmax = t.
    @inline(__always)
    static func maxUpdate(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>,
                          t: Int32, _ n: Int) {
        var c = 0
        let tv = SIMD16<Int32>(repeating: t)
        while c + 16 <= n {
            let v = load16(x + c), cur = load16(y + c)
            let better = v .> cur
            store16(cur.replacing(with: v, where: better), y + c)
            let a = UnsafeMutableRawPointer(arg + c)
            a.storeBytes(of: a.loadUnaligned(as: SIMD16<Int32>.self).replacing(with: tv, where: better), as: SIMD16<Int32>.self)
            c += 16
        }
        while c < n {
            if x[c] > y[c] { y[c] = x[c]; arg[c] = t }
            c += 1
        }
    }
}
