"""Independent reference for the rebalancer: the lossy model of DESIGN.md ("Rebalancing"),
built straight from a snapshot and a strategy and solved by scipy's HiGHS, sharing no code
with Ballast.

The one tolerance of the model, how far a giver may end below its exact share, comes with
each instance (`giver_tolerance`); short chains must reach their exact share here, which is
looser than Ballast's safety margin, so this optimum is never above Ballast's.

The model is aggregated (one flow variable per route, x <= M*y), unlike Ballast's
disaggregated one, and solved in the same two stages: least shortfall in USD (fees burnt are
charged at what they take off the short chains' targets, as in Ballast), then least fees
among plans that leave no more shortfall.
With `exhaustive`, the second stage is also solved by enumerating which charged routes are
open (a linear program per subset), a check on the MILP itself.

Reads a JSON list of instances on stdin; writes one result per instance:
{"fees": ..., "unmet_usd": ..., "exhaustive_fees": ... or null}, or {"error": ...}.
"""
import itertools
import json
import sys

import numpy as np
from scipy.optimize import LinearConstraint, Bounds, linprog, milp


def lanes_of(inst):
    rules = inst["rules"]
    cap = rules["max_fee_bps"] / 1e4
    price = inst["prices"]
    out = []
    for r in inst["routes"]:
        p = price.get(r["from"])
        if p is None:
            continue
        rate = r["fee_bps"] / 1e4
        fixed_tokens = float(r["fee_fixed"])
        fixed_usd = fixed_tokens * p + r["gas_usd"]
        if rate > cap or (fixed_usd > 0 and rate >= cap):
            continue
        min_usd = max(rules["min_transfer_usd"], fixed_usd / (cap - rate) if fixed_usd > 0 else 0)
        least = max(min_usd / p, fixed_tokens)
        capacity = float(r["max_amount"]) if r["max_amount"] is not None else np.inf
        if least > capacity:
            continue
        out.append(dict(frm=r["from"], to=r["to"], rate=rate, phi=fixed_tokens, fixed_usd=fixed_usd,
                        price=p, least=least, cap=capacity, charged=fixed_usd > 0 or least > 0))
    return out


def build(inst, lanes, open_set=None):
    chains = inst["chains"]
    n, m = len(chains), len(lanes)
    idx = {c: i for i, c in enumerate(chains)}
    a = np.array([inst["amount"][c] for c in chains])
    b = np.array([inst["amount"][c] + inst["in_flight"][c] for c in chains])
    w = np.array([inst["weights"].get(c, 0.0) for c in chains])
    B = b.sum()
    theta = inst["rules"]["threshold"]
    tau = w * B
    band = np.array([inst["bands"][c] * tau[i] if inst["bands"].get(c) is not None else theta * B
                     for i, c in enumerate(chains)])
    short = b < tau - band
    total = a.sum()
    # variables: x (m), y (m), u (n), L (1)
    nv = 2 * m + n + 1
    L = 2 * m + n
    rows, lo, hi = [], [], []

    def row(coefs, low, high):
        r = np.zeros(nv)
        for j, c in coefs:
            r[j] += c
        rows.append(r); lo.append(low); hi.append(high)

    def net(i):
        terms = []
        for k, l in enumerate(lanes):
            if idx[l["to"]] == i:
                terms += [(k, 1 - l["rate"]), (m + k, -l["phi"])]
            if idx[l["frm"]] == i:
                terms.append((k, -1.0))
        return terms

    for i in range(n):
        row([(j, -c) for j, c in net(i)], -np.inf, a[i])  # spendable
        if short[i]:
            row(net(i) + [(2 * m + i, 1.0), (L, w[i])], tau[i] - b[i], np.inf)
            row(net(i), 0, np.inf)
        elif b[i] >= tau[i]:
            # A giver may end `giver_tolerance` below its exact share: the model's stated dust.
            row(net(i) + [(L, w[i])], tau[i] - b[i] - inst["giver_tolerance"], np.inf)
        else:
            row(net(i), 0, np.inf)
    row([(L, 1.0)] + [(k, -l["rate"]) for k, l in enumerate(lanes)] + [(m + k, -l["phi"]) for k, l in enumerate(lanes)], 0, 0)
    for k, l in enumerate(lanes):
        big = min(l["cap"], total)
        row([(k, 1.0), (m + k, -big)], -np.inf, 0)
        row([(k, 1.0), (m + k, -l["least"])], 0, np.inf)
    lb, ub = np.zeros(nv), np.full(nv, np.inf)
    ub[m:2 * m] = 1
    for k, l in enumerate(lanes):
        if not l["charged"]:
            lb[m + k] = 1  # an uncharged route is always open
        if open_set is not None and l["charged"]:
            lb[m + k] = ub[m + k] = 1.0 if k in open_set else 0.0
    for i in range(n):
        if not short[i]:
            ub[2 * m + i] = 0
    fees = np.zeros(nv)
    for k, l in enumerate(lanes):
        fees[k] = l["price"] * l["rate"]
        fees[m + k] = l["fixed_usd"]
    price = inst["valuation"]
    shortfall = np.zeros(nv)
    for i, c in enumerate(chains):
        if short[i]:
            shortfall[2 * m + i] = price[c]
            shortfall[L] += 1.01 * w[i] * price[c]
    integrality = np.zeros(nv)
    if open_set is None:
        integrality[m:2 * m] = 1
    return np.array(rows), np.array(lo), np.array(hi), lb, ub, fees, shortfall, integrality


def lexicographic(inst, lanes, open_set=None):
    A, lo, hi, lb, ub, fees, shortfall, integ = build(inst, lanes, open_set)
    opts = {"mip_rel_gap": 1e-9}
    first = milp(shortfall, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(lb, ub), integrality=integ, options=opts)
    if first.status != 0:
        return None
    m, n = len(lanes), len(inst["chains"])
    pure = np.zeros_like(shortfall)
    pure[2 * m:2 * m + n] = shortfall[2 * m:2 * m + n]
    U = pure @ first.x  # the shortfall itself, without the charge on tokens lost
    A2 = np.vstack([A, pure])
    lo2, hi2 = np.append(lo, -np.inf), np.append(hi, U * (1 + 1e-9) + 1e-6)
    second = milp(fees, constraints=LinearConstraint(A2, lo2, hi2), bounds=Bounds(lb, ub), integrality=integ, options=opts)
    if second.status != 0:
        return None
    chains = inst["chains"]
    unmet = sum(inst["valuation"][c] * second.x[2 * m + i] for i, c in enumerate(chains))
    return second.fun, U, unmet


def solve(inst):
    lanes = lanes_of(inst)
    best = lexicographic(inst, lanes)
    if best is None:
        return {"error": "reference found no solution"}
    fees, U, unmet = best
    exhaustive = None
    charged = [k for k, l in enumerate(lanes) if l["charged"]]
    if inst.get("exhaustive") and len(charged) <= 10:
        for r in range(len(charged) + 1):
            for subset in itertools.combinations(charged, r):
                got = lexicographic(inst, lanes, set(subset))
                # Only subsets that leave no more shortfall than the optimum compete on fees.
                if got is not None and got[1] <= U * (1 + 1e-7) + 1e-7:
                    exhaustive = got[0] if exhaustive is None else min(exhaustive, got[0])
    return {"fees": fees, "unmet_usd": unmet, "exhaustive_fees": exhaustive}


if __name__ == "__main__":
    print(json.dumps([solve(inst) for inst in json.load(sys.stdin)]))
