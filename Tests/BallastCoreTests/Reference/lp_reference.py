"""Independent reference for the rebalancer's linear case: each network as a linear
program solved by scipy's HiGHS (a simplex/interior-point method, nothing like
successive shortest paths).

Reads a JSON list of networks on stdin; writes, per network, the minimum cost and the
total delivered. Unmet demand is penalised by a cost far above any route, so the LP
delivers as much as it can first and then minimises cost, like the rebalancer.
"""
import json
import sys

from scipy.optimize import linprog


def solve(net):
    n, lanes = net["nodes"], net["lanes"]
    supply, demand = net["supply"], net["demand"]
    k = len(lanes)
    penalty = 1e3 * (1 + sum(l["cost"] for l in lanes))
    # variables: lane flows x (k), supply used y (n), unmet u (n)
    c = [l["cost"] for l in lanes] + [0.0] * n + [penalty] * n
    a_eq = [[0.0] * (k + 2 * n) for _ in range(n)]
    b_eq = [0.0] * n
    for j, lane in enumerate(lanes):
        a_eq[lane["from"]][j] += 1.0
        a_eq[lane["to"]][j] -= 1.0
    for i in range(n):
        # out - in - y_i - u_i = -d_i   (in - out + y_i = d_i - u_i)
        a_eq[i][k + i] = -1.0
        a_eq[i][k + n + i] = -1.0
        b_eq[i] = -float(demand[i])
    bounds = [(0, None if l["cap"] is None else float(l["cap"])) for l in lanes]
    bounds += [(0, float(s)) for s in supply] + [(0, float(d)) for d in demand]
    res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        return {"error": res.message}
    flows = res.x[:k]
    unmet = sum(res.x[k + n:])
    cost = sum(l["cost"] * f for l, f in zip(lanes, flows))
    return {"cost": cost, "delivered": sum(demand) - unmet}


print(json.dumps([solve(net) for net in json.load(sys.stdin)]))
