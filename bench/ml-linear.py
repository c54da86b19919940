# The Python side of bench/ml-linear.bench.mjs: scikit-learn on the same files. Prints one JSON line.
import json
import sys
import time

import numpy as np

out = {}


def load(path, train, test, f):
    n = train + test
    raw = np.fromfile(path, dtype=np.uint8)
    x = raw[: n * f * 4].view(np.float32).reshape(n, f).astype(np.float64)
    y = raw[n * f * 4 :].astype(np.int64)
    return x[:train], y[:train], x[train:], y[train:]


def timed(make, xtr, ytr, xte, yte):
    m = make()
    t, c = time.perf_counter(), time.process_time()
    m.fit(xtr, ytr)
    fit, cpu = time.perf_counter() - t, time.process_time() - c
    return m, {"fit": fit, "fitCpu": cpu, "acc": float((m.predict(xte) == yte).mean())}


try:
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    for name in ("binomial", "multinomial"):
        path, train, test, f = sys.argv[1 + 4 * (name == "multinomial") : 5 + 4 * (name == "multinomial")]
        xtr, ytr, xte, yte = load(path, int(train), int(test), int(f))
        # penalty None: the maximum-likelihood fit, the same optimum Eddy's regParam 0 reaches.
        m, r = timed(lambda: LogisticRegression(penalty=None, solver="lbfgs", max_iter=1000, tol=1e-10), xtr, ytr, xte, yte)
        r["coef"] = m.coef_.tolist()
        r["intercept"] = m.intercept_.tolist()
        out[name] = r
    path, train, test, f = sys.argv[9:13]
    xtr, ytr, xte, yte = load(path, int(train), int(test), int(f))
    _, r = timed(
        lambda: MLPClassifier(
            hidden_layer_sizes=(int(sys.argv[13]),), activation="logistic", solver="lbfgs", alpha=0.0, max_iter=100, random_state=1
        ),
        xtr,
        ytr,
        xte,
        yte,
    )
    out["mlp"] = r
except ImportError as e:
    out["error"] = str(e)
print(json.dumps(out))
