/// One token's rebalancing problem as a flow network: givers supply, short chains
/// demand, routes carry flow at a cost. Amounts are integer token units.
struct RebalanceNetwork {
    struct Lane {
        /// Index into the snapshot's routes.
        var routeIndex: Int
        var from: Int
        var to: Int
        /// USD per unit moved: the proportional fee at the sending chain's price.
        var unitCost: Double
        /// USD value of one unit at the sending chain's price.
        var unitValue: Double
        /// USD paid whenever the lane is used at all: fixed fee at the sending price, plus gas.
        var fixedCost: Double
        /// The least a transfer may carry here (`min_transfer_usd`, and `max_fee_bps` with the fixed part).
        var minUnits: Int128
        var capacity: Int128
    }

    /// A solved flow: units per lane, and what reached each short chain.
    struct Flow: Equatable {
        var units: [Int128]
        var delivered: [Int128]
        var totalDelivered: Int128 { delivered.reduce(0, +) }
    }

    let chainCount: Int
    /// Units each chain may send (givers) and must receive (short chains).
    let supply: [Int128]
    let demand: [Int128]
    let lanes: [Lane]

    /// What a flow really costs: proportional fees on every unit, fixed costs on every lane used.
    func cost(of flow: Flow) -> Double {
        var total = 0.0
        for (lane, units) in zip(lanes, flow.units) where units > 0 {
            total += lane.unitCost * units.approximateDouble + lane.fixedCost
        }
        return total
    }

    /// The maximum flow at minimum cost over the allowed lanes, pricing a unit on lane k at `unitCost(k)`.
    func solve(allowed: [Bool], unitCost: (Int) -> Double) -> Flow {
        let source = chainCount, sink = chainCount + 1
        var network = MinCostFlow(nodes: chainCount + 2)
        for i in 0..<chainCount where supply[i] > 0 {
            network.addArc(from: source, to: i, capacity: supply[i], cost: 0)
        }
        var demandArcs: [MinCostFlow.ArcID?] = []
        for i in 0..<chainCount {
            demandArcs.append(demand[i] > 0 ? network.addArc(from: i, to: sink, capacity: demand[i], cost: 0) : nil)
        }
        let costs = lanes.indices.map { allowed[$0] ? unitCost($0) : .infinity }
        let useful = usefulLanes(allowed: allowed, costs: costs)
        var laneArcs: [MinCostFlow.ArcID?] = []
        for (k, lane) in lanes.enumerated() {
            laneArcs.append(useful[k] ? network.addArc(from: lane.from, to: lane.to, capacity: lane.capacity, cost: costs[k]) : nil)
        }
        _ = network.solve(source: source, sink: sink)
        return Flow(units: laneArcs.map { $0.map(network.flow) ?? 0 },
                    delivered: demandArcs.map { $0.map(network.flow) ?? 0 })
    }

    /// The allowed lanes that can carry flow in a cheapest plan.
    ///
    /// An unlimited lane dearer than some path of unlimited lanes between the same two chains
    /// never does: its flow could take that path for less, with no capacity in the way. So
    /// only unlimited lanes that are themselves shortest paths (Floyd–Warshall over the
    /// unlimited lanes; the first of equals) are kept, with every capacitated lane. This
    /// changes nothing about the optimum and leaves a dense network a small fraction of its arcs.
    private func usefulLanes(allowed: [Bool], costs: [Double]) -> [Bool] {
        let n = chainCount
        var useful = allowed
        let unlimited = lanes.indices.filter { allowed[$0] && lanes[$0].capacity >= MinCostFlow.unlimited }
        // On a sparse network the pass costs more than it saves.
        guard unlimited.count > 4 * n else { return useful }
        var distance = [Double](repeating: .infinity, count: n * n)
        for k in unlimited {
            let pair = lanes[k].from * n + lanes[k].to
            distance[pair] = min(distance[pair], costs[k])
        }
        distance.withUnsafeMutableBufferPointer { d in
            for via in 0..<n {
                for i in 0..<n where d[i * n + via] < .infinity {
                    let head = d[i * n + via]
                    for j in 0..<n {
                        let through = head + d[via * n + j]
                        if through < d[i * n + j] { d[i * n + j] = through }
                    }
                }
            }
        }
        var kept = Set<Int>()
        for k in unlimited {
            let pair = lanes[k].from * n + lanes[k].to
            let shortest = costs[k] <= distance[pair] * (1 + 1e-12)
            useful[k] = shortest && kept.insert(pair).inserted
        }
        return useful
    }

    /// Solves, then forbids every lane whose transfer came out below its minimum and solves
    /// again, until every transfer is allowed. Each round forbids at least one lane, so it ends.
    func solveRespectingMinimums(allowed initial: [Bool], unitCost: (Int) -> Double) -> (flow: Flow, allowed: [Bool]) {
        var allowed = initial
        while true {
            let flow = solve(allowed: allowed, unitCost: unitCost)
            var violated = false
            for k in lanes.indices where flow.units[k] > 0 && flow.units[k] < lanes[k].minUnits {
                allowed[k] = false
                violated = true
            }
            if !violated { return (flow, allowed) }
        }
    }
}
