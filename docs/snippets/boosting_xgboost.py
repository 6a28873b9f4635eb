import numpy as np
import xgboost as xgb

from unilosses.boosting import metric, objective

rng = np.random.default_rng(0)
X = rng.normal(size=(1000, 5))
y = rng.poisson(np.exp(0.5 * X[:, 0])) * rng.gamma(2.0, 0.5, size=1000)  # claims: zeros, skew

dtrain = xgb.DMatrix(X, label=y, base_margin=np.zeros(1000))
params = {"tree_method": "hist", "max_depth": 3}
booster = xgb.train(
    params, dtrain, num_boost_round=10,
    obj=objective("tweedie", power=1.5),  # the score is the log of the mean
    custom_metric=metric("tweedie", power=1.5), evals=[(dtrain, "train")], verbose_eval=False,
)
builtin = xgb.train(
    {**params, "objective": "reg:tweedie", "tweedie_variance_power": 1.5}, dtrain, 10
)
ours = booster.predict(dtrain, output_margin=True)  # log-means
theirs = builtin.predict(dtrain, output_margin=True)
print("same margins as reg:tweedie:", np.allclose(ours, theirs, rtol=1e-5, atol=1e-5))

# the scikit-learn estimator takes the same objectives
model = xgb.XGBRegressor(objective=objective("pseudo_huber", delta=2.0), n_estimators=10)
model.fit(X, X[:, 0] + rng.standard_t(2.0, size=1000), sample_weight=rng.uniform(0.5, 2.0, 1000))
print(model.predict(X[:3]).round(2))
