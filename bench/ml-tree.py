# The Python side of bench/ml-tree.mjs: scikit-learn and XGBoost on the same file. Prints one JSON line.
import json
import sys
import time

import numpy as np

path, train, test, f = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
n = train + test
raw = np.fromfile(path, dtype=np.uint8)
x = raw[: n * f * 4].view(np.float32).reshape(n, f)
y = raw[n * f * 4 :]
xtr, ytr, xte, yte = x[:train], y[:train], x[train:], y[train:]
out = {}


def predict_rate(fn):
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return train / best


try:
    from sklearn.tree import DecisionTreeClassifier

    m = DecisionTreeClassifier(max_depth=10, random_state=0)
    t, c = time.perf_counter(), time.process_time()
    m.fit(xtr, ytr)
    fit, cpu = time.perf_counter() - t, time.process_time() - c
    out["sklearn"] = {
        "fit": fit,
        "fitCpu": cpu,
        "acc": float((m.predict(xte) == yte).mean()),
        "predictRowsPerSec": predict_rate(lambda: m.predict(xtr)),
    }
except ImportError as e:
    print(f"scikit-learn missing: {e}", file=sys.stderr)

try:
    import xgboost as xgb

    t, c = time.perf_counter(), time.process_time()
    d = xgb.DMatrix(xtr, label=ytr, nthread=2)
    b = xgb.train(
        {"tree_method": "hist", "max_depth": 10, "max_bin": 32, "nthread": 2, "objective": "binary:logistic", "eta": 1.0},
        d,
        num_boost_round=1,
    )
    fit, cpu = time.perf_counter() - t, time.process_time() - c
    dte = xgb.DMatrix(xte, nthread=2)
    acc = float(((b.predict(dte) > 0.5).astype(np.uint8) == yte).mean())
    dtr = xgb.DMatrix(xtr, nthread=2)
    out["xgboost"] = {"fit": fit, "fitCpu": cpu, "acc": acc, "predictRowsPerSec": predict_rate(lambda: b.predict(dtr))}
except ImportError as e:
    print(f"xgboost missing: {e}", file=sys.stderr)

print(json.dumps(out))
