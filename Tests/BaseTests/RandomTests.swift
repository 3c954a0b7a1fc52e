import XCTest
import Base

final class RandomTests: XCTestCase {
    /// numpy: np.random.RandomState(42).permutation(10) and (0).permutation(7).
    func testPermutationMatchesNumpyRandomState() {
        var a = MersenneTwister(seed: 42)
        XCTAssertEqual(a.permutation(10), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        var b = MersenneTwister(seed: 0)
        XCTAssertEqual(b.permutation(7), [6, 2, 1, 3, 0, 5, 4])
        var c = MersenneTwister(seed: 42)
        XCTAssertEqual(Array(c.permutation(2800).prefix(12)), [1088, 772, 2161, 1192, 1916, 1614, 1399, 1461, 2222, 1114, 2406, 2599])
    }
}
