import Foundation

// A Float port of the real DFT of Takuya Ooura's FFT package (fftsg.c, split-radix; "You may use,
// copy, modify and distribute this code for any purpose (include commercial use) and without
// fee. Please refer to this package when you modify this code." — http://www.kurims.kyoto-u.ac.jp/~ooura/fft.html),
// in single precision as openSMILE builds it (FLOAT_TYPE_FFT = float), so that its rounding is
// openSMILE's cTransformFFT's, bit for bit. Forward transform only (`rdft(n, 1, …)`).
//
// Output layout (in place, n values): a[0] = R[0], a[1] = R[n/2], a[2k] = R[k], a[2k+1] = I[k] with
// R[k] = Σ x[j] cos(2πjk/n), I[k] = Σ x[j] sin(2πjk/n) (i.e. I = −Im of the usual DFT).
public struct OouraRDFT: Sendable {
    public let n: Int
    let nw: Int
    let nc: Int
    /// makewt's table (nw values) followed by makect's (nc values).
    let w: [Float]
    /// Bit-reversal permutation of the n/2 complex values (pairs swapped once).
    let swaps: [(Int32, Int32)]

    public init(n: Int) {
        precondition(n >= 4 && n & (n - 1) == 0, "n must be a power of two >= 4")
        self.n = n
        nw = n >> 2
        nc = n >> 2
        var table = [Float](repeating: 0, count: nw + nc)
        Self.makewt(nw, &table)
        Self.makect(nc, &table, offset: nw)
        w = table
        // bitrv2 is the bit reversal of the complex index (n/2 complex values).
        var s: [(Int32, Int32)] = []
        let m = n >> 1
        var bits = 0
        while (1 << bits) < m { bits += 1 }
        if n > 8 {   // cftfsub only reorders for n > 8 (n == 8, 4: in-place radix-2/4 without reversal)
            for j in 0..<m {
                var r = 0, v = j
                for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
                if j < r { s.append((Int32(2 * j), Int32(2 * r))) }
            }
        }
        swaps = s
    }

    static func makewt(_ nw: Int, _ w: inout [Float]) {
        guard nw > 2 else { return }
        var nwh = nw >> 1
        let delta = Float(atan(1.0)) / Float(nwh)
        let wn4r = Float(cos(Double(delta * Float(nwh))))
        w[0] = 1
        w[1] = wn4r
        if nwh == 4 {
            w[2] = Float(cos(Double(delta * 2)))
            w[3] = Float(sin(Double(delta * 2)))
        } else if nwh > 4 {
            w[2] = Float(0.5 / cos(Double(delta * 2)))
            w[3] = Float(0.5 / cos(Double(delta * 6)))
            var j = 4
            while j < nwh {
                let dj = delta * Float(j)
                let d3j = (3 * delta) * Float(j)
                w[j] = Float(cos(Double(dj)))
                w[j + 1] = Float(sin(Double(dj)))
                w[j + 2] = Float(cos(Double(d3j)))
                w[j + 3] = Float(-sin(Double(d3j)))
                j += 4
            }
        }
        var nw0 = 0
        while nwh > 2 {
            let nw1 = nw0 + nwh
            nwh >>= 1
            w[nw1] = 1
            w[nw1 + 1] = wn4r
            if nwh == 4 {
                w[nw1 + 2] = w[nw0 + 4]
                w[nw1 + 3] = w[nw0 + 5]
            } else if nwh > 4 {
                w[nw1 + 2] = Float(0.5) / w[nw0 + 4]
                w[nw1 + 3] = Float(0.5) / w[nw0 + 6]
                var j = 4
                while j < nwh {
                    w[nw1 + j] = w[nw0 + 2 * j]
                    w[nw1 + j + 1] = w[nw0 + 2 * j + 1]
                    w[nw1 + j + 2] = w[nw0 + 2 * j + 2]
                    w[nw1 + j + 3] = w[nw0 + 2 * j + 3]
                    j += 4
                }
            }
            nw0 = nw1
        }
    }

    static func makect(_ nc: Int, _ c: inout [Float], offset o: Int) {
        guard nc > 1 else { return }
        let nch = nc >> 1
        let delta = Float(atan(1.0)) / Float(nch)
        c[o] = Float(cos(Double(delta * Float(nch))))
        c[o + nch] = Float(0.5) * c[o]
        for j in 1..<nch {
            let dj = Double(delta * Float(j))
            c[o + j] = Float(0.5 * cos(dj))
            c[o + nc - j] = Float(0.5 * sin(dj))
        }
    }

    /// The forward transform of `a` (n values) in place.
    public func forward(_ a: inout [Float]) {
        precondition(a.count == n)
        a.withUnsafeMutableBufferPointer { ab in
            w.withUnsafeBufferPointer { wb in
                let ap = ab.baseAddress!
                let wp = UnsafeMutablePointer(mutating: wb.baseAddress!)
                if n > 4 {
                    cftfsub(ap, wp)
                    Self.rftfsub(n, ap, nc, wp + nw)
                } else if n == 4 {
                    cftfsub(ap, wp)
                }
                let xi = ap[0] - ap[1]
                ap[0] += ap[1]
                ap[1] = xi
            }
        }
    }

    func cftfsub(_ a: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>) {
        if n > 8 {
            if n > 32 {
                Self.cftf1st(n, a, w + (nw - (n >> 2)))
                if n > 512 {
                    Self.cftrec4(n, a, nw, w)
                } else if n > 128 {
                    Self.cftleaf(n, 1, a, nw, w)
                } else {
                    Self.cftfx41(n, a, nw, w)
                }
            } else if n == 32 {
                Self.cftf161(a, w + (nw - 8))
            } else {
                Self.cftf081(a, w)
            }
            for (x, y) in swaps {
                let i = Int(x), j = Int(y)
                let tr = a[i], ti = a[i + 1]
                a[i] = a[j]; a[i + 1] = a[j + 1]
                a[j] = tr; a[j + 1] = ti
            }
        } else if n == 8 {
            Self.cftf040(a)
        } else if n == 4 {
            Self.cftx020(a)
        }
    }

    typealias P = UnsafeMutablePointer<Float>

    static func cftf1st(_ n: Int, _ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i: Float
        var y0r, y0i, y1r, y1i, y2r, y2i, y3r, y3i: Float
        var wk1r, wk1i, wk3r, wk3i: Float
        let mh = n >> 3
        let m = 2 * mh
        var j0 = 0, j1 = m, j2 = j1 + m, j3 = j2 + m
        x0r = a[0] + a[j2]; x0i = a[1] + a[j2 + 1]
        x1r = a[0] - a[j2]; x1i = a[1] - a[j2 + 1]
        x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
        x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
        a[0] = x0r + x2r; a[1] = x0i + x2i
        a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
        a[j2] = x1r - x3i; a[j2 + 1] = x1i + x3r
        a[j3] = x1r + x3i; a[j3 + 1] = x1i - x3r
        let wn4r = w[1], csc1 = w[2], csc3 = w[3]
        var wd1r: Float = 1, wd1i: Float = 0, wd3r: Float = 1, wd3i: Float = 0
        var k = 0
        var j = 2
        while j < mh - 2 {
            k += 4
            wk1r = csc1 * (wd1r + w[k])
            wk1i = csc1 * (wd1i + w[k + 1])
            wk3r = csc3 * (wd3r + w[k + 2])
            wk3i = csc3 * (wd3i + w[k + 3])
            wd1r = w[k]; wd1i = w[k + 1]; wd3r = w[k + 2]; wd3i = w[k + 3]
            j1 = j + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j] + a[j2]; x0i = a[j + 1] + a[j2 + 1]
            x1r = a[j] - a[j2]; x1i = a[j + 1] - a[j2 + 1]
            y0r = a[j + 2] + a[j2 + 2]; y0i = a[j + 3] + a[j2 + 3]
            y1r = a[j + 2] - a[j2 + 2]; y1i = a[j + 3] - a[j2 + 3]
            x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
            x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
            y2r = a[j1 + 2] + a[j3 + 2]; y2i = a[j1 + 3] + a[j3 + 3]
            y3r = a[j1 + 2] - a[j3 + 2]; y3i = a[j1 + 3] - a[j3 + 3]
            a[j] = x0r + x2r; a[j + 1] = x0i + x2i
            a[j + 2] = y0r + y2r; a[j + 3] = y0i + y2i
            a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
            a[j1 + 2] = y0r - y2r; a[j1 + 3] = y0i - y2i
            x0r = x1r - x3i; x0i = x1i + x3r
            a[j2] = wk1r * x0r - wk1i * x0i; a[j2 + 1] = wk1r * x0i + wk1i * x0r
            x0r = y1r - y3i; x0i = y1i + y3r
            a[j2 + 2] = wd1r * x0r - wd1i * x0i; a[j2 + 3] = wd1r * x0i + wd1i * x0r
            x0r = x1r + x3i; x0i = x1i - x3r
            a[j3] = wk3r * x0r + wk3i * x0i; a[j3 + 1] = wk3r * x0i - wk3i * x0r
            x0r = y1r + y3i; x0i = y1i - y3r
            a[j3 + 2] = wd3r * x0r + wd3i * x0i; a[j3 + 3] = wd3r * x0i - wd3i * x0r
            j0 = m - j; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j0] + a[j2]; x0i = a[j0 + 1] + a[j2 + 1]
            x1r = a[j0] - a[j2]; x1i = a[j0 + 1] - a[j2 + 1]
            y0r = a[j0 - 2] + a[j2 - 2]; y0i = a[j0 - 1] + a[j2 - 1]
            y1r = a[j0 - 2] - a[j2 - 2]; y1i = a[j0 - 1] - a[j2 - 1]
            x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
            x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
            y2r = a[j1 - 2] + a[j3 - 2]; y2i = a[j1 - 1] + a[j3 - 1]
            y3r = a[j1 - 2] - a[j3 - 2]; y3i = a[j1 - 1] - a[j3 - 1]
            a[j0] = x0r + x2r; a[j0 + 1] = x0i + x2i
            a[j0 - 2] = y0r + y2r; a[j0 - 1] = y0i + y2i
            a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
            a[j1 - 2] = y0r - y2r; a[j1 - 1] = y0i - y2i
            x0r = x1r - x3i; x0i = x1i + x3r
            a[j2] = wk1i * x0r - wk1r * x0i; a[j2 + 1] = wk1i * x0i + wk1r * x0r
            x0r = y1r - y3i; x0i = y1i + y3r
            a[j2 - 2] = wd1i * x0r - wd1r * x0i; a[j2 - 1] = wd1i * x0i + wd1r * x0r
            x0r = x1r + x3i; x0i = x1i - x3r
            a[j3] = wk3i * x0r + wk3r * x0i; a[j3 + 1] = wk3i * x0i - wk3r * x0r
            x0r = y1r + y3i; x0i = y1i - y3r
            a[j3 - 2] = wd3i * x0r + wd3r * x0i; a[j3 - 1] = wd3i * x0i - wd3r * x0r
            j += 4
        }
        wk1r = csc1 * (wd1r + wn4r)
        wk1i = csc1 * (wd1i + wn4r)
        wk3r = csc3 * (wd3r - wn4r)
        wk3i = csc3 * (wd3i - wn4r)
        j0 = mh; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
        x0r = a[j0 - 2] + a[j2 - 2]; x0i = a[j0 - 1] + a[j2 - 1]
        x1r = a[j0 - 2] - a[j2 - 2]; x1i = a[j0 - 1] - a[j2 - 1]
        x2r = a[j1 - 2] + a[j3 - 2]; x2i = a[j1 - 1] + a[j3 - 1]
        x3r = a[j1 - 2] - a[j3 - 2]; x3i = a[j1 - 1] - a[j3 - 1]
        a[j0 - 2] = x0r + x2r; a[j0 - 1] = x0i + x2i
        a[j1 - 2] = x0r - x2r; a[j1 - 1] = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        a[j2 - 2] = wk1r * x0r - wk1i * x0i; a[j2 - 1] = wk1r * x0i + wk1i * x0r
        x0r = x1r + x3i; x0i = x1i - x3r
        a[j3 - 2] = wk3r * x0r + wk3i * x0i; a[j3 - 1] = wk3r * x0i - wk3i * x0r
        x0r = a[j0] + a[j2]; x0i = a[j0 + 1] + a[j2 + 1]
        x1r = a[j0] - a[j2]; x1i = a[j0 + 1] - a[j2 + 1]
        x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
        x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
        a[j0] = x0r + x2r; a[j0 + 1] = x0i + x2i
        a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        a[j2] = wn4r * (x0r - x0i); a[j2 + 1] = wn4r * (x0i + x0r)
        x0r = x1r + x3i; x0i = x1i - x3r
        a[j3] = -wn4r * (x0r + x0i); a[j3 + 1] = -wn4r * (x0i - x0r)
        x0r = a[j0 + 2] + a[j2 + 2]; x0i = a[j0 + 3] + a[j2 + 3]
        x1r = a[j0 + 2] - a[j2 + 2]; x1i = a[j0 + 3] - a[j2 + 3]
        x2r = a[j1 + 2] + a[j3 + 2]; x2i = a[j1 + 3] + a[j3 + 3]
        x3r = a[j1 + 2] - a[j3 + 2]; x3i = a[j1 + 3] - a[j3 + 3]
        a[j0 + 2] = x0r + x2r; a[j0 + 3] = x0i + x2i
        a[j1 + 2] = x0r - x2r; a[j1 + 3] = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        a[j2 + 2] = wk1i * x0r - wk1r * x0i; a[j2 + 3] = wk1i * x0i + wk1r * x0r
        x0r = x1r + x3i; x0i = x1i - x3r
        a[j3 + 2] = wk3i * x0r + wk3r * x0i; a[j3 + 3] = wk3i * x0i - wk3r * x0r
    }

    static func cftrec4(_ n: Int, _ a: P, _ nw: Int, _ w: P) {
        var m = n
        while m > 512 {
            m >>= 2
            cftmdl1(m, a + (n - m), w + (nw - (m >> 1)))
        }
        cftleaf(m, 1, a + (n - m), nw, w)
        var k = 0
        var j = n - m
        while j > 0 {
            k += 1
            let isplt = cfttree(m, j, k, a, nw, w)
            cftleaf(m, isplt, a + (j - m), nw, w)
            j -= m
        }
    }

    static func cfttree(_ n: Int, _ j: Int, _ k: Int, _ a: P, _ nw: Int, _ w: P) -> Int {
        var isplt: Int
        if k & 3 != 0 {
            isplt = k & 1
            if isplt != 0 {
                cftmdl1(n, a + (j - n), w + (nw - (n >> 1)))
            } else {
                cftmdl2(n, a + (j - n), w + (nw - n))
            }
        } else {
            var m = n
            var i = k
            while i & 3 == 0 { m <<= 2; i >>= 2 }
            isplt = i & 1
            if isplt != 0 {
                while m > 128 {
                    cftmdl1(m, a + (j - m), w + (nw - (m >> 1)))
                    m >>= 2
                }
            } else {
                while m > 128 {
                    cftmdl2(m, a + (j - m), w + (nw - m))
                    m >>= 2
                }
            }
        }
        return isplt
    }

    static func cftleaf(_ n: Int, _ isplt: Int, _ a: P, _ nw: Int, _ w: P) {
        if n == 512 {
            cftmdl1(128, a, w + (nw - 64))
            cftf161(a, w + (nw - 8))
            cftf162(a + 32, w + (nw - 32))
            cftf161(a + 64, w + (nw - 8))
            cftf161(a + 96, w + (nw - 8))
            cftmdl2(128, a + 128, w + (nw - 128))
            cftf161(a + 128, w + (nw - 8))
            cftf162(a + 160, w + (nw - 32))
            cftf161(a + 192, w + (nw - 8))
            cftf162(a + 224, w + (nw - 32))
            cftmdl1(128, a + 256, w + (nw - 64))
            cftf161(a + 256, w + (nw - 8))
            cftf162(a + 288, w + (nw - 32))
            cftf161(a + 320, w + (nw - 8))
            cftf161(a + 352, w + (nw - 8))
            if isplt != 0 {
                cftmdl1(128, a + 384, w + (nw - 64))
                cftf161(a + 480, w + (nw - 8))
            } else {
                cftmdl2(128, a + 384, w + (nw - 128))
                cftf162(a + 480, w + (nw - 32))
            }
            cftf161(a + 384, w + (nw - 8))
            cftf162(a + 416, w + (nw - 32))
            cftf161(a + 448, w + (nw - 8))
        } else {
            cftmdl1(64, a, w + (nw - 32))
            cftf081(a, w + (nw - 8))
            cftf082(a + 16, w + (nw - 8))
            cftf081(a + 32, w + (nw - 8))
            cftf081(a + 48, w + (nw - 8))
            cftmdl2(64, a + 64, w + (nw - 64))
            cftf081(a + 64, w + (nw - 8))
            cftf082(a + 80, w + (nw - 8))
            cftf081(a + 96, w + (nw - 8))
            cftf082(a + 112, w + (nw - 8))
            cftmdl1(64, a + 128, w + (nw - 32))
            cftf081(a + 128, w + (nw - 8))
            cftf082(a + 144, w + (nw - 8))
            cftf081(a + 160, w + (nw - 8))
            cftf081(a + 176, w + (nw - 8))
            if isplt != 0 {
                cftmdl1(64, a + 192, w + (nw - 32))
                cftf081(a + 240, w + (nw - 8))
            } else {
                cftmdl2(64, a + 192, w + (nw - 64))
                cftf082(a + 240, w + (nw - 8))
            }
            cftf081(a + 192, w + (nw - 8))
            cftf082(a + 208, w + (nw - 8))
            cftf081(a + 224, w + (nw - 8))
        }
    }

    static func cftmdl1(_ n: Int, _ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i: Float
        var wk1r, wk1i, wk3r, wk3i: Float
        let mh = n >> 3
        let m = 2 * mh
        var j0 = 0, j1 = m, j2 = j1 + m, j3 = j2 + m
        x0r = a[0] + a[j2]; x0i = a[1] + a[j2 + 1]
        x1r = a[0] - a[j2]; x1i = a[1] - a[j2 + 1]
        x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
        x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
        a[0] = x0r + x2r; a[1] = x0i + x2i
        a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
        a[j2] = x1r - x3i; a[j2 + 1] = x1i + x3r
        a[j3] = x1r + x3i; a[j3 + 1] = x1i - x3r
        let wn4r = w[1]
        var k = 0
        var j = 2
        while j < mh {
            k += 4
            wk1r = w[k]; wk1i = w[k + 1]; wk3r = w[k + 2]; wk3i = w[k + 3]
            j1 = j + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j] + a[j2]; x0i = a[j + 1] + a[j2 + 1]
            x1r = a[j] - a[j2]; x1i = a[j + 1] - a[j2 + 1]
            x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
            x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
            a[j] = x0r + x2r; a[j + 1] = x0i + x2i
            a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
            x0r = x1r - x3i; x0i = x1i + x3r
            a[j2] = wk1r * x0r - wk1i * x0i; a[j2 + 1] = wk1r * x0i + wk1i * x0r
            x0r = x1r + x3i; x0i = x1i - x3r
            a[j3] = wk3r * x0r + wk3i * x0i; a[j3 + 1] = wk3r * x0i - wk3i * x0r
            j0 = m - j; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j0] + a[j2]; x0i = a[j0 + 1] + a[j2 + 1]
            x1r = a[j0] - a[j2]; x1i = a[j0 + 1] - a[j2 + 1]
            x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
            x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
            a[j0] = x0r + x2r; a[j0 + 1] = x0i + x2i
            a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
            x0r = x1r - x3i; x0i = x1i + x3r
            a[j2] = wk1i * x0r - wk1r * x0i; a[j2 + 1] = wk1i * x0i + wk1r * x0r
            x0r = x1r + x3i; x0i = x1i - x3r
            a[j3] = wk3i * x0r + wk3r * x0i; a[j3 + 1] = wk3i * x0i - wk3r * x0r
            j += 2
        }
        j0 = mh; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
        x0r = a[j0] + a[j2]; x0i = a[j0 + 1] + a[j2 + 1]
        x1r = a[j0] - a[j2]; x1i = a[j0 + 1] - a[j2 + 1]
        x2r = a[j1] + a[j3]; x2i = a[j1 + 1] + a[j3 + 1]
        x3r = a[j1] - a[j3]; x3i = a[j1 + 1] - a[j3 + 1]
        a[j0] = x0r + x2r; a[j0 + 1] = x0i + x2i
        a[j1] = x0r - x2r; a[j1 + 1] = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        a[j2] = wn4r * (x0r - x0i); a[j2 + 1] = wn4r * (x0i + x0r)
        x0r = x1r + x3i; x0i = x1i - x3r
        a[j3] = -wn4r * (x0r + x0i); a[j3 + 1] = -wn4r * (x0i - x0r)
    }

    static func cftmdl2(_ n: Int, _ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i, y0r, y0i, y2r, y2i: Float
        var wk1r, wk1i, wk3r, wk3i, wd1r, wd1i, wd3r, wd3i: Float
        let mh = n >> 3
        let m = 2 * mh
        let wn4r = w[1]
        var j0 = 0, j1 = m, j2 = j1 + m, j3 = j2 + m
        x0r = a[0] - a[j2 + 1]; x0i = a[1] + a[j2]
        x1r = a[0] + a[j2 + 1]; x1i = a[1] - a[j2]
        x2r = a[j1] - a[j3 + 1]; x2i = a[j1 + 1] + a[j3]
        x3r = a[j1] + a[j3 + 1]; x3i = a[j1 + 1] - a[j3]
        y0r = wn4r * (x2r - x2i); y0i = wn4r * (x2i + x2r)
        a[0] = x0r + y0r; a[1] = x0i + y0i
        a[j1] = x0r - y0r; a[j1 + 1] = x0i - y0i
        y0r = wn4r * (x3r - x3i); y0i = wn4r * (x3i + x3r)
        a[j2] = x1r - y0i; a[j2 + 1] = x1i + y0r
        a[j3] = x1r + y0i; a[j3 + 1] = x1i - y0r
        var k = 0
        var kr = 2 * m
        var j = 2
        while j < mh {
            k += 4
            wk1r = w[k]; wk1i = w[k + 1]; wk3r = w[k + 2]; wk3i = w[k + 3]
            kr -= 4
            wd1i = w[kr]; wd1r = w[kr + 1]; wd3i = w[kr + 2]; wd3r = w[kr + 3]
            j1 = j + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j] - a[j2 + 1]; x0i = a[j + 1] + a[j2]
            x1r = a[j] + a[j2 + 1]; x1i = a[j + 1] - a[j2]
            x2r = a[j1] - a[j3 + 1]; x2i = a[j1 + 1] + a[j3]
            x3r = a[j1] + a[j3 + 1]; x3i = a[j1 + 1] - a[j3]
            y0r = wk1r * x0r - wk1i * x0i; y0i = wk1r * x0i + wk1i * x0r
            y2r = wd1r * x2r - wd1i * x2i; y2i = wd1r * x2i + wd1i * x2r
            a[j] = y0r + y2r; a[j + 1] = y0i + y2i
            a[j1] = y0r - y2r; a[j1 + 1] = y0i - y2i
            y0r = wk3r * x1r + wk3i * x1i; y0i = wk3r * x1i - wk3i * x1r
            y2r = wd3r * x3r + wd3i * x3i; y2i = wd3r * x3i - wd3i * x3r
            a[j2] = y0r + y2r; a[j2 + 1] = y0i + y2i
            a[j3] = y0r - y2r; a[j3 + 1] = y0i - y2i
            j0 = m - j; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
            x0r = a[j0] - a[j2 + 1]; x0i = a[j0 + 1] + a[j2]
            x1r = a[j0] + a[j2 + 1]; x1i = a[j0 + 1] - a[j2]
            x2r = a[j1] - a[j3 + 1]; x2i = a[j1 + 1] + a[j3]
            x3r = a[j1] + a[j3 + 1]; x3i = a[j1 + 1] - a[j3]
            y0r = wd1i * x0r - wd1r * x0i; y0i = wd1i * x0i + wd1r * x0r
            y2r = wk1i * x2r - wk1r * x2i; y2i = wk1i * x2i + wk1r * x2r
            a[j0] = y0r + y2r; a[j0 + 1] = y0i + y2i
            a[j1] = y0r - y2r; a[j1 + 1] = y0i - y2i
            y0r = wd3i * x1r + wd3r * x1i; y0i = wd3i * x1i - wd3r * x1r
            y2r = wk3i * x3r + wk3r * x3i; y2i = wk3i * x3i - wk3r * x3r
            a[j2] = y0r + y2r; a[j2 + 1] = y0i + y2i
            a[j3] = y0r - y2r; a[j3 + 1] = y0i - y2i
            j += 2
        }
        wk1r = w[m]; wk1i = w[m + 1]
        j0 = mh; j1 = j0 + m; j2 = j1 + m; j3 = j2 + m
        x0r = a[j0] - a[j2 + 1]; x0i = a[j0 + 1] + a[j2]
        x1r = a[j0] + a[j2 + 1]; x1i = a[j0 + 1] - a[j2]
        x2r = a[j1] - a[j3 + 1]; x2i = a[j1 + 1] + a[j3]
        x3r = a[j1] + a[j3 + 1]; x3i = a[j1 + 1] - a[j3]
        y0r = wk1r * x0r - wk1i * x0i; y0i = wk1r * x0i + wk1i * x0r
        y2r = wk1i * x2r - wk1r * x2i; y2i = wk1i * x2i + wk1r * x2r
        a[j0] = y0r + y2r; a[j0 + 1] = y0i + y2i
        a[j1] = y0r - y2r; a[j1 + 1] = y0i - y2i
        y0r = wk1i * x1r - wk1r * x1i; y0i = wk1i * x1i + wk1r * x1r
        y2r = wk1r * x3r - wk1i * x3i; y2i = wk1r * x3i + wk1i * x3r
        a[j2] = y0r - y2r; a[j2 + 1] = y0i - y2i
        a[j3] = y0r + y2r; a[j3 + 1] = y0i + y2i
    }

    static func cftfx41(_ n: Int, _ a: P, _ nw: Int, _ w: P) {
        if n == 128 {
            cftf161(a, w + (nw - 8))
            cftf162(a + 32, w + (nw - 32))
            cftf161(a + 64, w + (nw - 8))
            cftf161(a + 96, w + (nw - 8))
        } else {
            cftf081(a, w + (nw - 8))
            cftf082(a + 16, w + (nw - 8))
            cftf081(a + 32, w + (nw - 8))
            cftf081(a + 48, w + (nw - 8))
        }
    }

    static func cftf161(_ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i: Float
        let wn4r = w[1], wk1r = w[2], wk1i = w[3]
        x0r = a[0] + a[16]; x0i = a[1] + a[17]
        x1r = a[0] - a[16]; x1i = a[1] - a[17]
        x2r = a[8] + a[24]; x2i = a[9] + a[25]
        x3r = a[8] - a[24]; x3i = a[9] - a[25]
        let y0r = x0r + x2r, y0i = x0i + x2i
        let y4r = x0r - x2r, y4i = x0i - x2i
        let y8r = x1r - x3i, y8i = x1i + x3r
        let y12r = x1r + x3i, y12i = x1i - x3r
        x0r = a[2] + a[18]; x0i = a[3] + a[19]
        x1r = a[2] - a[18]; x1i = a[3] - a[19]
        x2r = a[10] + a[26]; x2i = a[11] + a[27]
        x3r = a[10] - a[26]; x3i = a[11] - a[27]
        let y1r = x0r + x2r, y1i = x0i + x2i
        let y5r = x0r - x2r, y5i = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        let y9r = wk1r * x0r - wk1i * x0i, y9i = wk1r * x0i + wk1i * x0r
        x0r = x1r + x3i; x0i = x1i - x3r
        let y13r = wk1i * x0r - wk1r * x0i, y13i = wk1i * x0i + wk1r * x0r
        x0r = a[4] + a[20]; x0i = a[5] + a[21]
        x1r = a[4] - a[20]; x1i = a[5] - a[21]
        x2r = a[12] + a[28]; x2i = a[13] + a[29]
        x3r = a[12] - a[28]; x3i = a[13] - a[29]
        let y2r = x0r + x2r, y2i = x0i + x2i
        let y6r = x0r - x2r, y6i = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        let y10r = wn4r * (x0r - x0i), y10i = wn4r * (x0i + x0r)
        x0r = x1r + x3i; x0i = x1i - x3r
        let y14r = wn4r * (x0r + x0i), y14i = wn4r * (x0i - x0r)
        x0r = a[6] + a[22]; x0i = a[7] + a[23]
        x1r = a[6] - a[22]; x1i = a[7] - a[23]
        x2r = a[14] + a[30]; x2i = a[15] + a[31]
        x3r = a[14] - a[30]; x3i = a[15] - a[31]
        let y3r = x0r + x2r, y3i = x0i + x2i
        let y7r = x0r - x2r, y7i = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        let y11r = wk1i * x0r - wk1r * x0i, y11i = wk1i * x0i + wk1r * x0r
        x0r = x1r + x3i; x0i = x1i - x3r
        let y15r = wk1r * x0r - wk1i * x0i, y15i = wk1r * x0i + wk1i * x0r
        x0r = y12r - y14r; x0i = y12i - y14i
        x1r = y12r + y14r; x1i = y12i + y14i
        x2r = y13r - y15r; x2i = y13i - y15i
        x3r = y13r + y15r; x3i = y13i + y15i
        a[24] = x0r + x2r; a[25] = x0i + x2i
        a[26] = x0r - x2r; a[27] = x0i - x2i
        a[28] = x1r - x3i; a[29] = x1i + x3r
        a[30] = x1r + x3i; a[31] = x1i - x3r
        x0r = y8r + y10r; x0i = y8i + y10i
        x1r = y8r - y10r; x1i = y8i - y10i
        x2r = y9r + y11r; x2i = y9i + y11i
        x3r = y9r - y11r; x3i = y9i - y11i
        a[16] = x0r + x2r; a[17] = x0i + x2i
        a[18] = x0r - x2r; a[19] = x0i - x2i
        a[20] = x1r - x3i; a[21] = x1i + x3r
        a[22] = x1r + x3i; a[23] = x1i - x3r
        x0r = y5r - y7i; x0i = y5i + y7r
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        x0r = y5r + y7i; x0i = y5i - y7r
        x3r = wn4r * (x0r - x0i); x3i = wn4r * (x0i + x0r)
        x0r = y4r - y6i; x0i = y4i + y6r
        x1r = y4r + y6i; x1i = y4i - y6r
        a[8] = x0r + x2r; a[9] = x0i + x2i
        a[10] = x0r - x2r; a[11] = x0i - x2i
        a[12] = x1r - x3i; a[13] = x1i + x3r
        a[14] = x1r + x3i; a[15] = x1i - x3r
        x0r = y0r + y2r; x0i = y0i + y2i
        x1r = y0r - y2r; x1i = y0i - y2i
        x2r = y1r + y3r; x2i = y1i + y3i
        x3r = y1r - y3r; x3i = y1i - y3i
        a[0] = x0r + x2r; a[1] = x0i + x2i
        a[2] = x0r - x2r; a[3] = x0i - x2i
        a[4] = x1r - x3i; a[5] = x1i + x3r
        a[6] = x1r + x3i; a[7] = x1i - x3r
    }

    static func cftf162(_ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i: Float
        let wn4r = w[1], wk1r = w[4], wk1i = w[5], wk3r = w[6], wk3i = -w[7], wk2r = w[8], wk2i = w[9]
        x1r = a[0] - a[17]; x1i = a[1] + a[16]
        x0r = a[8] - a[25]; x0i = a[9] + a[24]
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        let y0r = x1r + x2r, y0i = x1i + x2i
        let y4r = x1r - x2r, y4i = x1i - x2i
        x1r = a[0] + a[17]; x1i = a[1] - a[16]
        x0r = a[8] + a[25]; x0i = a[9] - a[24]
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        let y8r = x1r - x2i, y8i = x1i + x2r
        let y12r = x1r + x2i, y12i = x1i - x2r
        x0r = a[2] - a[19]; x0i = a[3] + a[18]
        x1r = wk1r * x0r - wk1i * x0i; x1i = wk1r * x0i + wk1i * x0r
        x0r = a[10] - a[27]; x0i = a[11] + a[26]
        x2r = wk3i * x0r - wk3r * x0i; x2i = wk3i * x0i + wk3r * x0r
        let y1r = x1r + x2r, y1i = x1i + x2i
        let y5r = x1r - x2r, y5i = x1i - x2i
        x0r = a[2] + a[19]; x0i = a[3] - a[18]
        x1r = wk3r * x0r - wk3i * x0i; x1i = wk3r * x0i + wk3i * x0r
        x0r = a[10] + a[27]; x0i = a[11] - a[26]
        x2r = wk1r * x0r + wk1i * x0i; x2i = wk1r * x0i - wk1i * x0r
        let y9r = x1r - x2r, y9i = x1i - x2i
        let y13r = x1r + x2r, y13i = x1i + x2i
        x0r = a[4] - a[21]; x0i = a[5] + a[20]
        x1r = wk2r * x0r - wk2i * x0i; x1i = wk2r * x0i + wk2i * x0r
        x0r = a[12] - a[29]; x0i = a[13] + a[28]
        x2r = wk2i * x0r - wk2r * x0i; x2i = wk2i * x0i + wk2r * x0r
        let y2r = x1r + x2r, y2i = x1i + x2i
        let y6r = x1r - x2r, y6i = x1i - x2i
        x0r = a[4] + a[21]; x0i = a[5] - a[20]
        x1r = wk2i * x0r - wk2r * x0i; x1i = wk2i * x0i + wk2r * x0r
        x0r = a[12] + a[29]; x0i = a[13] - a[28]
        x2r = wk2r * x0r - wk2i * x0i; x2i = wk2r * x0i + wk2i * x0r
        let y10r = x1r - x2r, y10i = x1i - x2i
        let y14r = x1r + x2r, y14i = x1i + x2i
        x0r = a[6] - a[23]; x0i = a[7] + a[22]
        x1r = wk3r * x0r - wk3i * x0i; x1i = wk3r * x0i + wk3i * x0r
        x0r = a[14] - a[31]; x0i = a[15] + a[30]
        x2r = wk1i * x0r - wk1r * x0i; x2i = wk1i * x0i + wk1r * x0r
        let y3r = x1r + x2r, y3i = x1i + x2i
        let y7r = x1r - x2r, y7i = x1i - x2i
        x0r = a[6] + a[23]; x0i = a[7] - a[22]
        x1r = wk1i * x0r + wk1r * x0i; x1i = wk1i * x0i - wk1r * x0r
        x0r = a[14] + a[31]; x0i = a[15] - a[30]
        x2r = wk3i * x0r - wk3r * x0i; x2i = wk3i * x0i + wk3r * x0r
        let y11r = x1r + x2r, y11i = x1i + x2i
        let y15r = x1r - x2r, y15i = x1i - x2i
        x1r = y0r + y2r; x1i = y0i + y2i
        x2r = y1r + y3r; x2i = y1i + y3i
        a[0] = x1r + x2r; a[1] = x1i + x2i
        a[2] = x1r - x2r; a[3] = x1i - x2i
        x1r = y0r - y2r; x1i = y0i - y2i
        x2r = y1r - y3r; x2i = y1i - y3i
        a[4] = x1r - x2i; a[5] = x1i + x2r
        a[6] = x1r + x2i; a[7] = x1i - x2r
        x1r = y4r - y6i; x1i = y4i + y6r
        x0r = y5r - y7i; x0i = y5i + y7r
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        a[8] = x1r + x2r; a[9] = x1i + x2i
        a[10] = x1r - x2r; a[11] = x1i - x2i
        x1r = y4r + y6i; x1i = y4i - y6r
        x0r = y5r + y7i; x0i = y5i - y7r
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        a[12] = x1r - x2i; a[13] = x1i + x2r
        a[14] = x1r + x2i; a[15] = x1i - x2r
        x1r = y8r + y10r; x1i = y8i + y10i
        x2r = y9r - y11r; x2i = y9i - y11i
        a[16] = x1r + x2r; a[17] = x1i + x2i
        a[18] = x1r - x2r; a[19] = x1i - x2i
        x1r = y8r - y10r; x1i = y8i - y10i
        x2r = y9r + y11r; x2i = y9i + y11i
        a[20] = x1r - x2i; a[21] = x1i + x2r
        a[22] = x1r + x2i; a[23] = x1i - x2r
        x1r = y12r - y14i; x1i = y12i + y14r
        x0r = y13r + y15i; x0i = y13i - y15r
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        a[24] = x1r + x2r; a[25] = x1i + x2i
        a[26] = x1r - x2r; a[27] = x1i - x2i
        x1r = y12r + y14i; x1i = y12i - y14r
        x0r = y13r - y15i; x0i = y13i + y15r
        x2r = wn4r * (x0r - x0i); x2i = wn4r * (x0i + x0r)
        a[28] = x1r - x2i; a[29] = x1i + x2r
        a[30] = x1r + x2i; a[31] = x1i - x2r
    }

    static func cftf081(_ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i: Float
        let wn4r = w[1]
        x0r = a[0] + a[8]; x0i = a[1] + a[9]
        x1r = a[0] - a[8]; x1i = a[1] - a[9]
        x2r = a[4] + a[12]; x2i = a[5] + a[13]
        x3r = a[4] - a[12]; x3i = a[5] - a[13]
        let y0r = x0r + x2r, y0i = x0i + x2i
        let y2r = x0r - x2r, y2i = x0i - x2i
        let y1r = x1r - x3i, y1i = x1i + x3r
        let y3r = x1r + x3i, y3i = x1i - x3r
        x0r = a[2] + a[10]; x0i = a[3] + a[11]
        x1r = a[2] - a[10]; x1i = a[3] - a[11]
        x2r = a[6] + a[14]; x2i = a[7] + a[15]
        x3r = a[6] - a[14]; x3i = a[7] - a[15]
        let y4r = x0r + x2r, y4i = x0i + x2i
        let y6r = x0r - x2r, y6i = x0i - x2i
        x0r = x1r - x3i; x0i = x1i + x3r
        x2r = x1r + x3i; x2i = x1i - x3r
        let y5r = wn4r * (x0r - x0i), y5i = wn4r * (x0r + x0i)
        let y7r = wn4r * (x2r - x2i), y7i = wn4r * (x2r + x2i)
        a[8] = y1r + y5r; a[9] = y1i + y5i
        a[10] = y1r - y5r; a[11] = y1i - y5i
        a[12] = y3r - y7i; a[13] = y3i + y7r
        a[14] = y3r + y7i; a[15] = y3i - y7r
        a[0] = y0r + y4r; a[1] = y0i + y4i
        a[2] = y0r - y4r; a[3] = y0i - y4i
        a[4] = y2r - y6i; a[5] = y2i + y6r
        a[6] = y2r + y6i; a[7] = y2i - y6r
    }

    static func cftf082(_ a: P, _ w: P) {
        var x0r, x0i, x1r, x1i: Float
        let wn4r = w[1], wk1r = w[2], wk1i = w[3]
        let y0r = a[0] - a[9], y0i = a[1] + a[8]
        let y1r = a[0] + a[9], y1i = a[1] - a[8]
        x0r = a[4] - a[13]; x0i = a[5] + a[12]
        let y2r = wn4r * (x0r - x0i), y2i = wn4r * (x0i + x0r)
        x0r = a[4] + a[13]; x0i = a[5] - a[12]
        let y3r = wn4r * (x0r - x0i), y3i = wn4r * (x0i + x0r)
        x0r = a[2] - a[11]; x0i = a[3] + a[10]
        let y4r = wk1r * x0r - wk1i * x0i, y4i = wk1r * x0i + wk1i * x0r
        x0r = a[2] + a[11]; x0i = a[3] - a[10]
        let y5r = wk1i * x0r - wk1r * x0i, y5i = wk1i * x0i + wk1r * x0r
        x0r = a[6] - a[15]; x0i = a[7] + a[14]
        let y6r = wk1i * x0r - wk1r * x0i, y6i = wk1i * x0i + wk1r * x0r
        x0r = a[6] + a[15]; x0i = a[7] - a[14]
        let y7r = wk1r * x0r - wk1i * x0i, y7i = wk1r * x0i + wk1i * x0r
        x0r = y0r + y2r; x0i = y0i + y2i
        x1r = y4r + y6r; x1i = y4i + y6i
        a[0] = x0r + x1r; a[1] = x0i + x1i
        a[2] = x0r - x1r; a[3] = x0i - x1i
        x0r = y0r - y2r; x0i = y0i - y2i
        x1r = y4r - y6r; x1i = y4i - y6i
        a[4] = x0r - x1i; a[5] = x0i + x1r
        a[6] = x0r + x1i; a[7] = x0i - x1r
        x0r = y1r - y3i; x0i = y1i + y3r
        x1r = y5r - y7r; x1i = y5i - y7i
        a[8] = x0r + x1r; a[9] = x0i + x1i
        a[10] = x0r - x1r; a[11] = x0i - x1i
        x0r = y1r + y3i; x0i = y1i - y3r
        x1r = y5r + y7r; x1i = y5i + y7i
        a[12] = x0r - x1i; a[13] = x0i + x1r
        a[14] = x0r + x1i; a[15] = x0i - x1r
    }

    static func cftf040(_ a: P) {
        let x0r = a[0] + a[4], x0i = a[1] + a[5]
        let x1r = a[0] - a[4], x1i = a[1] - a[5]
        let x2r = a[2] + a[6], x2i = a[3] + a[7]
        let x3r = a[2] - a[6], x3i = a[3] - a[7]
        a[0] = x0r + x2r; a[1] = x0i + x2i
        a[2] = x1r - x3i; a[3] = x1i + x3r
        a[4] = x0r - x2r; a[5] = x0i - x2i
        a[6] = x1r + x3i; a[7] = x1i - x3r
    }

    static func cftx020(_ a: P) {
        let x0r = a[0] - a[2], x0i = a[1] - a[3]
        a[0] += a[2]; a[1] += a[3]
        a[2] = x0r; a[3] = x0i
    }

    static func rftfsub(_ n: Int, _ a: P, _ nc: Int, _ c: P) {
        let m = n >> 1
        let ks = 2 * nc / m
        var kk = 0
        var j = 2
        while j < m {
            let k = n - j
            kk += ks
            let wkr = Float(0.5) - c[nc - kk]
            let wki = c[kk]
            let xr = a[j] - a[k]
            let xi = a[j + 1] + a[k + 1]
            let yr = wkr * xr - wki * xi
            let yi = wkr * xi + wki * xr
            a[j] -= yr
            a[j + 1] -= yi
            a[k] += yr
            a[k + 1] -= yi
            j += 2
        }
    }
}
