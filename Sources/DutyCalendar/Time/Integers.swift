/// Integer helpers every part of the calendar shares: division that rounds toward minus infinity
/// (time before 1970 and negative offsets), zero padding, and reading digits.

/// Quotient and remainder with the quotient rounded down, so the remainder has the sign of `b`:
/// `floorDivMod(-1, 86_400)` is `(-1, 86_399)`.
@inline(__always)
package func floorDivMod(_ a: Int, _ b: Int) -> (Int, Int) {
    let q = a >= 0 ? a / b : -((-a + b - 1) / b)
    return (q, a - q * b)
}

@inline(__always)
package func floorMod(_ a: Int, _ b: Int) -> Int { floorDivMod(a, b).1 }

func gcd(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (abs(a), abs(b))
    while y != 0 { (x, y) = (y, x % y) }
    return x
}

/// `v` in decimal with at least `width` digits: `zeroPadded(7, 2)` is `07`, `zeroPadded(-5, 4)` is `-0005`.
package func zeroPadded(_ v: Int, _ width: Int) -> String {
    if v < 0 { return "-" + zeroPadded(-v, width) }
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// The value of a run of ASCII digits, `nil` if any byte is not a digit or the run is empty.
func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
    var v = 0
    for c in bytes {
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
    }
    return v
}
