import NeuralNet
import XCTest

/// The kernel choice is a pure function of OpenBLAS's own choice and the CPU's flags.
final class BLASKernelsTests: XCTestCase {
    // Flags as /proc/cpuinfo lists them on an Emerald Rapids VM (family 6, model 207), abridged.
    let emeraldRapids: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl",
                                      "avx512_bf16", "amx_tile"]

    func testThePrescottFallbackIsReplacedByTheBestFamilyTheFlagsAllow() {
        XCTAssertEqual(BLASKernels.preferredCore(coreName: "Prescott", flags: emeraldRapids), "SkylakeX")
        XCTAssertEqual(BLASKernels.preferredCore(coreName: "Prescott", flags: ["avx", "avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASKernels.preferredCore(coreName: "Prescott", flags: ["sse3", "avx"]), "no better kernels exist")
        XCTAssertEqual(BLASKernels.preferredCore(coreName: "Prescott", flags: emeraldRapids.subtracting(["avx512vl"])), "Haswell",
                       "SkylakeX kernels need all of F/CD/BW/DQ/VL")
    }

    func testOpenBLASsOwnChoiceStands() {
        for core in ["SkylakeX", "Haswell", "Zen", "Cooperlake"] {
            XCTAssertNil(BLASKernels.preferredCore(coreName: core, flags: emeraldRapids), core)
        }
    }
}
