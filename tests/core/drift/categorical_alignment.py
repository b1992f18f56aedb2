#!/usr/bin/python3
"""Reference values of categorical_alignment_test.cc: scipy on the aligned counts.

Replicates the test's data (splitmix64 draws of equally likely levels "L0".."L{n-1}") and the
alignment with exact tracking: the reference lists its top-k categories (larger count first,
then smaller name), the rest in `other`; the current side counts exactly those, lists the
categories the reference never saw only when the reference's `other` is 0, and counts the rest
in `other`. When the reference folded categories (its `other` > 0), listed categories with
fewer than 25 reference rows are counted in `other` on both sides (kRareReferenceCount,
server/core/drift/feature_drift.h). Prints chi2_contingency (no continuity correction) and the base-2 Jensen-Shannon
distance on those counts. Run: /usr/bin/python3 tests/core/drift/categorical_alignment.py
"""
import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency

MASK = (1 << 64) - 1
RARE = 25


def levels(seed, rows, n):
    out = np.empty(rows, dtype=np.int64)
    state = seed
    for i in range(rows):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out[i] = (z ^ (z >> 31)) % n
    return out


def counts(seed, rows, n, extra=None, tail=0):
    """`rows` draws of `n` levels; with `tail`, half of them of n levels and half (seed + 100)
    of `tail` levels, so L0..L{n-1} are frequent and the rest are rare."""
    if tail:
        drawn = np.concatenate([levels(seed, rows // 2, n), levels(seed + 100, rows // 2, tail)])
        n = max(n, tail)
    else:
        drawn = levels(seed, rows, n)
    c = np.bincount(drawn, minlength=n)
    out = {"L%d" % i: int(c[i]) for i in range(n) if c[i] > 0}
    out.update(extra or {})
    return out


def aligned(ref, cur, top_k):
    ranked = sorted(ref.items(), key=lambda kv: (-kv[1], kv[0]))
    listed = dict(ranked[:top_k])
    ref_other = sum(v for _, v in ranked[top_k:])
    unseen = {k: v for k, v in cur.items() if k not in ref} if ref_other == 0 else {}
    unseen = dict(sorted(unseen.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k])
    cur_other = sum(v for k, v in cur.items() if k not in listed and k not in unseen)
    if ref_other > 0:  # rare listed categories join `other` on both sides
        rare = [k for k, v in listed.items() if v < RARE]
        ref_other += sum(listed.pop(k) for k in rare)
        cur_other += sum(cur.get(k, 0) for k in rare)
    names = sorted(list(listed) + list(unseen))
    r = [listed.get(k, 0) for k in names]
    c = [cur.get(k, 0) for k in names]
    if ref_other > 0 or cur_other > 0:
        r.append(ref_other)
        c.append(cur_other)
    return r, c, sorted(unseen)


CASES = [
    ("1200 levels, top-k 1000", 1200, 1000, None, 0),
    ("50000 levels, top-k 1000", 50000, 1000, None, 0),
    ("1200 levels, top-k 5000, 500 rows of NEW", 1200, 5000, {"NEW": 500}, 0),
    ("100 frequent levels and a tail of 50000, top-k 1000", 100, 1000, None, 50000),
]
for label, n, top_k, extra, tail in CASES:
    r, c, unseen = aligned(counts(1, 100000, n, tail=tail), counts(2, 100000, n, extra, tail),
                           top_k)
    if len(r) == 1:  # one cell: nothing to compare (greengate's chi2 0, p 1, dof 0)
        print("%s: 1 cell, unseen %s\n  js %.17g" % (label, unseen, jensenshannon(r, c, base=2)))
        continue
    stat, p, dof, _ = chi2_contingency(np.array([r, c]), correction=False)
    js = jensenshannon(r, c, base=2)
    print("%s: %d cells, unseen %s\n  chi2 %.17g p %.17g dof %d js %.17g"
          % (label, len(r), unseen, stat, p, dof, js))
