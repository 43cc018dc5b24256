/// A minimum-cost maximum flow on a small directed network, exact in integer units.
///
/// Successive shortest paths with Johnson potentials, in primal-dual form: each phase
/// finds shortest distances by Dijkstra on reduced costs (non-negative, since every arc
/// cost is) and then saturates every shortest path at once with a blocking flow. The flow
/// found is maximum, and among maximum flows of minimum cost (the successive-shortest-path
/// guarantee for non-negative costs). Amounts are integers (token units), so no flow is
/// ever rounded.
struct MinCostFlow {
    /// A large capacity that stands for "no limit" and still leaves room to add.
    static let unlimited = Int128(1) << 100

    /// Where an arc added with `addArc` ended up, for reading its flow back.
    struct ArcID { fileprivate var index: Int }

    private struct Arc {
        var residual: Int128
        var cost: Double
        var from: Int32
        var to: Int32
        /// Index of the paired arc.
        var reverse: Int32
        /// Set per phase: residual, and zero reduced cost.
        var admissible = false
    }

    let nodeCount: Int
    private var arcs: [Arc] = []

    init(nodes: Int) {
        nodeCount = nodes
    }

    @discardableResult
    mutating func addArc(from: Int, to: Int, capacity: Int128, cost: Double) -> ArcID {
        precondition(cost >= 0 && from != to, "arcs join two nodes at a non-negative cost")
        let index = arcs.count
        arcs.append(Arc(residual: capacity, cost: cost, from: Int32(from), to: Int32(to), reverse: Int32(index + 1)))
        arcs.append(Arc(residual: 0, cost: -cost, from: Int32(to), to: Int32(from), reverse: Int32(index)))
        return ArcID(index: index)
    }

    /// The flow on an arc: what its reverse arc has absorbed.
    func flow(_ arc: ArcID) -> Int128 {
        arcs[Int(arcs[arc.index].reverse)].residual
    }

    /// Pushes as much flow as possible from `source` to `sink` at minimum cost; returns the amount.
    mutating func solve(source: Int, sink: Int) -> Int128 {
        let n = nodeCount
        // Arcs grouped by tail (CSR), so each node's arcs are contiguous in memory.
        var order = Array(arcs.indices)
        order.sort { arcs[$0].from != arcs[$1].from ? arcs[$0].from < arcs[$1].from : $0 < $1 }
        var position = [Int32](repeating: 0, count: arcs.count)
        for (new, old) in order.enumerated() { position[old] = Int32(new) }
        let largest = arcs.lazy.map { abs($0.cost) }.max() ?? 0
        // Costs scaled to at most 1, so "reduced cost is zero" can use an absolute tolerance.
        let scale = largest > 0 ? 1 / largest : 1
        var csr = order.map { old -> Arc in
            var arc = arcs[old]
            arc.reverse = position[Int(arc.reverse)]
            arc.cost *= scale
            return arc
        }
        var start = [Int](repeating: 0, count: n + 1)
        for arc in csr { start[Int(arc.from) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }

        let tolerance = 1e-9
        var potential = [Double](repeating: 0, count: n)
        var distance = [Double](repeating: .infinity, count: n)
        var done = [Bool](repeating: false, count: n)
        var level = [Int32](repeating: -1, count: n)
        var nextArc = [Int](repeating: 0, count: n)
        var queue = [Int](repeating: 0, count: n)
        var path = [Int](repeating: 0, count: n)  // arc indices of the path being built
        var heap = DistanceHeap()
        var total: Int128 = 0

        csr.withUnsafeMutableBufferPointer { arc in
            while true {
                // Dijkstra over reduced costs, with a binary heap and lazy deletion.
                for i in 0..<n {
                    distance[i] = .infinity
                    done[i] = false
                }
                distance[source] = 0
                heap.removeAll(keepingCapacity: true)
                heap.push(0, source)
                while let (reach, u) = heap.pop() {
                    guard !done[u], reach <= distance[u] else { continue }
                    done[u] = true
                    let lift = potential[u]
                    for k in start[u]..<start[u + 1] where arc[k].residual > 0 {
                        let v = Int(arc[k].to)
                        guard !done[v] else { continue }
                        // Reduced costs are ≥ 0 up to rounding; clamp the rounding away.
                        let candidate = reach + max(0, arc[k].cost + lift - potential[v])
                        if candidate < distance[v] {
                            distance[v] = candidate
                            heap.push(candidate, v)
                        }
                    }
                }
                guard distance[sink] < .infinity else { break }
                for i in 0..<n where distance[i] < .infinity { potential[i] += distance[i] }
                for k in 0..<arc.count {
                    let u = Int(arc[k].from), v = Int(arc[k].to)
                    arc[k].admissible = arc[k].residual > 0 && abs(arc[k].cost + potential[u] - potential[v]) <= tolerance
                }

                // Blocking flows on the admissible arcs (Dinic): BFS levels keep the search
                // acyclic, arc pointers make each blocking flow linear in the arcs.
                while true {
                    for i in 0..<n { level[i] = -1 }
                    level[source] = 0
                    queue[0] = source
                    var head = 0, tail = 1
                    while head < tail {
                        let u = queue[head]
                        head += 1
                        for k in start[u]..<start[u + 1] where arc[k].admissible && arc[k].residual > 0 && level[Int(arc[k].to)] < 0 {
                            level[Int(arc[k].to)] = level[u] + 1
                            queue[tail] = Int(arc[k].to)
                            tail += 1
                        }
                    }
                    guard level[sink] >= 0 else { break }
                    for i in 0..<n { nextArc[i] = start[i] }
                    // Depth-first augmenting paths, iteratively; a dead end advances its parent's pointer.
                    var depth = 0
                    var u = source
                    while true {
                        if u == sink {
                            var push = Self.unlimited
                            for d in 0..<depth { push = min(push, arc[path[d]].residual) }
                            for d in 0..<depth {
                                arc[path[d]].residual -= push
                                arc[Int(arc[path[d]].reverse)].residual += push
                            }
                            total += push
                            depth = 0
                            u = source
                            continue
                        }
                        var advanced = false
                        while nextArc[u] < start[u + 1] {
                            let k = nextArc[u]
                            let v = Int(arc[k].to)
                            if arc[k].admissible && arc[k].residual > 0 && level[v] == level[u] + 1 {
                                path[depth] = k
                                depth += 1
                                u = v
                                advanced = true
                                break
                            }
                            nextArc[u] += 1
                        }
                        if advanced { continue }
                        if u == source { break }
                        // Dead end: retreat and skip the arc that led here.
                        depth -= 1
                        u = Int(arc[path[depth]].from)
                        nextArc[u] += 1
                    }
                }
            }
        }
        // Write residuals back to the caller's arc order.
        for (new, old) in order.enumerated() { arcs[old].residual = csr[new].residual }
        return total
    }
}

/// A binary min-heap of (distance, node) pairs for Dijkstra; stale entries are skipped by the caller.
private struct DistanceHeap {
    private var items: [(Double, Int)] = []

    mutating func removeAll(keepingCapacity: Bool) { items.removeAll(keepingCapacity: keepingCapacity) }

    mutating func push(_ key: Double, _ node: Int) {
        items.append((key, node))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].0 < items[parent].0 else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let left = 2 * i + 1, right = left + 1
                var smallest = i
                if left < items.count && items[left].0 < items[smallest].0 { smallest = left }
                if right < items.count && items[right].0 < items[smallest].0 { smallest = right }
                guard smallest != i else { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
