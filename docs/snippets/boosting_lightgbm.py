import lightgbm as lgb
import numpy as np

from unilosses.boosting import metric, objective

rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 5))
y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(size=2000) > 2.0).astype(float)  # ~13% positives

train = lgb.Dataset(X, y)
history: dict = {}
booster = lgb.train(
    {"objective": objective("binary_focal_crossentropy", gamma=2.0), "verbosity": -1},
    train,
    num_boost_round=20,
    valid_sets=[train],
    feval=metric("binary_focal_crossentropy", gamma=2.0),  # the mean focal loss
    callbacks=[lgb.record_evaluation(history)],
)
focal = history["training"]["binary_focal_crossentropy"]
p = 1 / (1 + np.exp(-booster.predict(X)))  # raw scores are logits
print(f"focal loss {focal[0]:.3f} -> {focal[-1]:.3f}, accuracy {np.mean((p > 0.5) == y):.3f}")
