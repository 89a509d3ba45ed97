// Unit and subject numbers are kept in ascending arrays; these search them.

extension [Int32] {
    /// The index of the first element not below `x`, in an ascending array.
    @inline(__always)
    func lowerBound(_ x: Int32) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Whether an ascending array holds `x`.
    @inline(__always)
    func sortedContains(_ x: Int32) -> Bool {
        let i = lowerBound(x)
        return i < count && self[i] == x
    }
}
