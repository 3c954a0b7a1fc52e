import Base
import CSoxr
import Foundation

/// How libsoxr picks its code path, and how the study keeps that choice in its own hands.
///
/// What libsoxr 0.1.3 (Debian 12's `libsoxr0`) does, from its `src/soxr.c`: `soxr_create`
/// chooses the engine once per resampler. A quality spec of at most 20 bits without
/// `SOXR_DOUBLE_PRECISION` (our `SOXR_HQ`: 20 bits) gets the single-precision engine, either
/// `cr32s` (SIMD: pffft on SSE, 4 floats wide) or `cr32` (scalar C, Ooura's FFT):
///
///     should_use_simd32() = getenv("SOXR_USE_SIMD")   ? atoi(it) != 0
///                         : getenv("SOXR_USE_SIMD32") ? atoi(it) != 0
///                         : cpu_has_simd32()          // always true on x86-64: no CPUID test
///
/// (Higher qualities get the double-precision engine, `cr64s` — AVX, chosen by CPUID and XGETBV
/// — or `cr64`, the same way with `SOXR_USE_SIMD64`.) So on x86-64 the float32 HQ path never
/// depends on the CPU model: Debian builds `cr32s` for baseline x86-64 (SSE only, no FMA
/// anywhere in the library), the same instructions on every x86-64 CPU. It depends only on
/// the environment, which can switch to the scalar engine, whose bits differ (measured by
/// `study-bench probe`, see `CrossCPUTests`). `soxr_create` also lets environment variables
/// override the runtime spec it is given (`SOXR_MIN_DFT_SIZE`, `SOXR_LARGE_DFT_SIZE`,
/// `SOXR_COEFS_SIZE` change the DFT sizes and so the rounding; `SOXR_COEF_INTERP`,
/// `SOXR_NOSMALLINTOPT`, `SOXR_STRICT_BUF`, `SOXR_NUM_THREADS`). libsoxr offers no quality or
/// runtime flag that picks the engine, so the environment is the only lever.
///
/// What the study does: under `Arithmetic.deterministic` the executables call `pin()` first
/// thing, before any thread exists, which removes those variables from the process's
/// environment, so every `soxr_create` takes the `cr32s` path; `resampleSoxr` then refuses to
/// run (throws) if one of them is set again, or if the engine libsoxr reports is not `cr32s`
/// (a libsoxr built without SIMD), rather than return other bits silently. Under
/// `Arithmetic.native` the variables are left alone: libsoxr's own choice, environment included.
public enum SoxrEnvironment {
    /// Every variable libsoxr 0.1.3's `soxr_create` reads that can change its output
    /// (`SOXR_TRACE` only prints and is left alone).
    public static let variables = [
        "SOXR_USE_SIMD", "SOXR_USE_SIMD32", "SOXR_USE_SIMD64",
        "SOXR_MIN_DFT_SIZE", "SOXR_LARGE_DFT_SIZE", "SOXR_COEFS_SIZE", "SOXR_NUM_THREADS",
        "SOXR_COEF_INTERP", "SOXR_STRICT_BUF", "SOXR_NOSMALLINTOPT",
    ]

    /// The engine the deterministic arithmetic runs for single-precision qualities (HQ and
    /// below) on x86-64: libsoxr's SSE engine, its default there.
    public static let deterministicEngine = "cr32s"

    /// Removes `variables` from this process's environment when `arithmetic` is
    /// `.deterministic` (the default) and returns the names it removed; does nothing under
    /// `.native`. Call it once, first thing in `main` after the arithmetic is known and before
    /// any thread is started: `unsetenv` is not safe while another thread reads the
    /// environment (libsoxr calls `getenv` in every `soxr_create`).
    @discardableResult
    public static func pin(for arithmetic: Arithmetic = .current) -> [String] {
        guard arithmetic == .deterministic else { return [] }
        let set = overrides()
        for name in set { unsetenv(name) }
        return set
    }

    /// The variables of `variables` set in the environment now (`getenv`: safe to call from
    /// any thread as long as nobody changes the environment meanwhile).
    public static func overrides() -> [String] {
        variables.filter { getenv($0) != nil }
    }

    /// The engine libsoxr picks in this process for a float32 resampler of quality `quality`
    /// (e.g. "cr32s"; nil when it cannot make one).
    public static func engine(quality: UInt = UInt(SOXR_HQ)) -> String? {
        var error: soxr_error_t?
        var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var qSpec = soxr_quality_spec(quality, 0)
        guard let soxr = soxr_create(24414, 22050, 1, &error, &ioSpec, &qSpec, nil), error == nil else { return nil }
        defer { soxr_delete(soxr) }
        return soxr_engine(soxr).map { String(cString: $0) }
    }

    /// Throws unless `soxr` (just made by `soxr_create` with `qSpec`) runs the engine the
    /// deterministic arithmetic promises. Called only under `.deterministic`.
    static func checkDeterministic(_ soxr: soxr_t, qSpec: soxr_quality_spec_t) throws {
        let set = overrides()
        guard set.isEmpty else {
            throw AudioError.resampleFailed(reason: "\(set.joined(separator: ", ")) set in the environment: libsoxr would "
                + "let it choose its code path, so the deterministic arithmetic refuses to resample (unset it, call "
                + "SoxrEnvironment.pin() at startup, or use --kernels native)")
        }
        #if arch(x86_64)
        // Only the single-precision engines are pinned (the study uses HQ); the double-precision
        // one is picked by CPUID (AVX), the same choice on every AVX2 CPU.
        let singlePrecision = qSpec.precision <= 20 && qSpec.flags & UInt(SOXR_DOUBLE_PRECISION) == 0
            && qSpec.flags & UInt(SOXR_VR) == 0
        let engine = soxr_engine(soxr).map { String(cString: $0) } ?? "unknown"
        if singlePrecision && engine != deterministicEngine {
            throw AudioError.resampleFailed(reason: "libsoxr runs its '\(engine)' engine, not '\(deterministicEngine)' "
                + "(a libsoxr built without SIMD?): the deterministic arithmetic refuses other bits; use --kernels native")
        }
        #endif
    }
}

extension SoxrEnvironment {
    /// For an executable's first line, before any thread starts and before its options are
    /// parsed: pins libsoxr's engine unless the command line asks for `--kernels native`.
    public static func pinAtStartup(arguments: [String] = CommandLine.arguments) {
        var native = false
        for (i, a) in arguments.enumerated() {
            if a == "--kernels=native" || (a == "--kernels" && i + 1 < arguments.count && arguments[i + 1] == "native") {
                native = true
            }
        }
        _ = pin(for: native ? .native : .deterministic)
    }
}
