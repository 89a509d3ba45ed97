/// The unit tree and its officials, indexed for the planner.
///
/// Units are kept in tree order (each unit before its descendants, siblings by id), so a unit's
/// subtree is the contiguous range `index..<subtreeEnd[index]`: "one county and everything below it"
/// is a range check, not a walk.
package struct Organisation: Sendable {
    /// Units in tree order.
    package let units: [OrgUnit]
    package let officials: [Official]
    /// Unit index by id.
    package let index: [String: Int32]
    package let officialIndex: [String: Int32]
    /// Parent index, or -1 for a root.
    package let parent: [Int32]
    /// End (exclusive) of each unit's subtree in `units`.
    package let subtreeEnd: [Int32]
    /// Officials of each unit: `officialOrder[officialStart[u]..<officialStart[u + 1]]`.
    let officialStart: [Int32]
    let officialOrder: [Int32]
    /// Unit index of each official.
    package let officialUnit: [Int32]

    /// Builds the index. Units whose parent is not in the list become roots; use
    /// the store's checks (`DutyStore.importUnits`) to keep that from happening.
    ///
    /// The arrays are consumed: at national scale (a million units) holding them twice would cost
    /// hundreds of megabytes.
    package init(units input: consuming [OrgUnit], officials inputOfficials: consuming [Official]) {
        var byID: [String: Int32] = [:]
        byID.reserveCapacity(input.count)
        for (i, u) in input.enumerated() { byID[u.id] = Int32(i) }
        // Children lists, then a depth-first walk from the roots, siblings by id.
        var childCount = [Int32](repeating: 0, count: input.count + 1)
        var roots: [Int] = []
        var parentOf = [Int](repeating: -1, count: input.count)
        // Siblings usually come together (a county's units), so the last parent looked up is remembered.
        var lastParent: (id: String, index: Int32?) = ("", nil)
        for (i, u) in input.enumerated() {
            var found: Int32?
            if let p = u.parent {
                if p == lastParent.id {
                    found = lastParent.index
                } else {
                    found = byID[p]
                    lastParent = (p, found)
                }
            }
            if let found, Int(found) != i {
                let pi = Int(found)
                parentOf[i] = pi
                childCount[pi] += 1
            } else {
                roots.append(i)
            }
        }
        var childStart = [Int](repeating: 0, count: input.count + 1)
        for i in 0..<input.count { childStart[i + 1] = childStart[i] + Int(childCount[i]) }
        var fill = childStart
        var children = [Int](repeating: 0, count: childStart[input.count])
        for i in 0..<input.count where parentOf[i] >= 0 {
            children[fill[parentOf[i]]] = i
            fill[parentOf[i]] += 1
        }
        for i in 0..<input.count where childCount[i] > 1 {
            children[childStart[i]..<childStart[i + 1]].sort { input[$0].id < input[$1].id }
        }
        roots.sort { input[$0].id < input[$1].id }

        var order: [Int] = []
        order.reserveCapacity(input.count)
        var position = [Int32](repeating: -1, count: input.count)
        var end = [Int32](repeating: 0, count: input.count)
        // Iterative walk: a parent cycle (a → b → a) never reaches a root and is left out here;
        // the store refuses such a tree, so this only guards against a hand-made list.
        var stack: [(node: Int, next: Int)] = []
        var pending = Array(roots.reversed())
        while let r = pending.popLast() {
            position[r] = Int32(order.count)
            order.append(r)
            stack.append((r, childStart[r]))
            while !stack.isEmpty {
                let top = stack.count - 1
                let (node, next) = stack[top]
                if next < childStart[node + 1] {
                    stack[top].next += 1
                    let c = children[next]
                    position[c] = Int32(order.count)
                    order.append(c)
                    stack.append((c, childStart[c]))
                } else {
                    end[node] = Int32(order.count)
                    stack.removeLast()
                }
            }
        }
        var units: [OrgUnit] = []
        units.reserveCapacity(order.count)
        var parent: [Int32] = []
        parent.reserveCapacity(order.count)
        var subtreeEnd: [Int32] = []
        subtreeEnd.reserveCapacity(order.count)
        for i in order {
            units.append(input[i])
            parent.append(parentOf[i] >= 0 ? position[parentOf[i]] : -1)
            subtreeEnd.append(end[i])
        }
        let complete = order.count == input.count
        input = []
        // The id index, renumbered in place to tree order; units left out (a parent cycle) are dropped.
        for k in byID.indices { byID.values[k] = position[Int(byID.values[k])] }
        let index = complete ? byID : byID.filter { $0.value >= 0 }
        self.units = units
        self.parent = parent
        self.subtreeEnd = subtreeEnd
        self.index = index

        // Officials grouped by unit; officials of units not in the tree are kept but belong nowhere.
        // Officials keep the order they were given (the store's, which is the import's): a unit's
        // officials come together, which the unit lookup below relies on to stay cheap.
        let officials = inputOfficials
        inputOfficials = []
        var officialIndex: [String: Int32] = [:]
        officialIndex.reserveCapacity(officials.count)
        var officialUnit = [Int32](repeating: -1, count: officials.count)
        var perUnit = [Int32](repeating: 0, count: units.count + 1)
        var lastUnit: (id: String, index: Int32?) = ("", nil)
        for (k, o) in officials.enumerated() {
            officialIndex[o.id] = Int32(k)
            if o.unit != lastUnit.id { lastUnit = (o.unit, index[o.unit]) }
            if let u = lastUnit.index {
                officialUnit[k] = u
                perUnit[Int(u)] += 1
            }
        }
        var start = [Int32](repeating: 0, count: units.count + 1)
        for u in 0..<units.count { start[u + 1] = start[u] + perUnit[u] }
        var at = start
        var orderOfficials = [Int32](repeating: 0, count: Int(start[units.count]))
        for k in 0..<officials.count where officialUnit[k] >= 0 {
            let u = Int(officialUnit[k])
            orderOfficials[Int(at[u])] = Int32(k)
            at[u] += 1
        }
        self.officials = officials
        self.officialIndex = officialIndex
        self.officialUnit = officialUnit
        self.officialStart = start
        self.officialOrder = orderOfficials
    }

    package static let empty = Organisation(units: [], officials: [])

    /// Indices of the officials of unit `u`.
    package func officials(of u: Int32) -> ArraySlice<Int32> {
        officialOrder[Int(officialStart[Int(u)])..<Int(officialStart[Int(u) + 1])]
    }

    /// Whether unit `u` is `ancestor` or below it.
    @inline(__always)
    package func isInSubtree(_ u: Int32, of ancestor: Int32) -> Bool {
        u >= ancestor && u < subtreeEnd[Int(ancestor)]
    }

    /// The chain from `u` up to its root, `u` first.
    package func ancestry(of u: Int32) -> [Int32] {
        var out: [Int32] = []
        var x = u
        while x >= 0 {
            out.append(x)
            x = parent[Int(x)]
        }
        return out
    }
}
