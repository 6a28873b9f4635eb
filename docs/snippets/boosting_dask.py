import dask.array as da
import xgboost as xgb
import xgboost.dask
from dask.distributed import Client, LocalCluster

from unilosses.boosting import metric, objective

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
with cluster, Client(cluster) as client:
    rng = da.random.default_rng(0)
    X = rng.normal(size=(20_000, 5), chunks=(5_000, 5))
    y = X[:, 0] - 0.5 * X[:, 1] + rng.standard_t(2.0, size=20_000, chunks=5_000)
    dtrain = xgb.dask.DaskDMatrix(client, X, y)
    output = xgb.dask.train(
        client, {"tree_method": "hist", "max_depth": 3}, dtrain, num_boost_round=5,
        obj=objective("pseudo_huber", delta=1.0),
        custom_metric=metric("pseudo_huber", delta=1.0), evals=[(dtrain, "train")],
        verbose_eval=False,
    )
    prediction = xgb.dask.predict(client, output["booster"], X)  # a lazy Dask array
    losses = output["history"]["train"]["pseudo_huber"]
    print(f"pseudo-Huber loss {losses[0]:.3f} -> {losses[-1]:.3f}")
