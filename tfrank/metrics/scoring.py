"""Scoring a model on a labelled table: AUC, logloss, GAUC; RMSE, MAE."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfrank.data.frames import as_frame
from tfrank.data.pipeline import make_dataset
from tfrank.metrics.classification import auc, gauc, logloss

IMPRESSIONS = ("impressions",)


def score_predictions(
    labels, predictions, kind: str = "probability", groups=None, gauc_weights=IMPRESSIONS
) -> dict:
    """Offline metrics of one output against its labels.

    `kind="probability"`: `{"auc", "logloss"}`, plus GAUC when `groups` (a
    user id per row) is given, once per entry of `gauc_weights`: `"gauc"`
    weighted by impressions, `"gauc_clicks"` by clicks (see `gauc`);
    `kind="value"`: `{"rmse", "mae"}`.

    Example:

    >>> score_predictions([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4])["auc"]
    1.0
    >>> scores = score_predictions([0, 1, 0, 1, 1, 1], [.2, .8, .9, .3, .1, .5],
    ...                            groups=list("aabbbb"), gauc_weights=("impressions", "clicks"))
    >>> round(scores["gauc"], 4), scores["gauc_clicks"]
    (0.3333, 0.25)
    >>> score_predictions([3.0, 5.0], [3.5, 4.0], kind="value")
    {'rmse': 0.7905694150420949, 'mae': 0.75}
    """
    labels = np.asarray(labels, np.float64).reshape(-1)
    predictions = np.asarray(predictions, np.float64).reshape(-1)
    if kind == "value":
        errors = predictions - labels
        return {"rmse": float(np.sqrt(np.mean(errors**2))), "mae": float(np.mean(np.abs(errors)))}
    if kind != "probability":
        raise ValueError(f"kind must be 'probability' or 'value'. Received: {kind!r}")
    result = {"auc": auc(labels, predictions), "logloss": logloss(labels, predictions)}
    if groups is not None:
        for weight in gauc_weights:
            key = "gauc" if weight == "impressions" else f"gauc_{weight}"
            result[key] = gauc(labels, predictions, groups, weight)
    return result


def score_frame(
    model, frame: pd.DataFrame, label=None, group: str | None = None, batch_size: int = 4096,
    predict=None,
) -> dict:  # fmt: skip
    """Scores `model` on the labelled rows of `frame` (raw feature columns).

    Each output is scored by its kind (`model.output_kinds`): a probability
    by AUC and logloss (and GAUC over `group`, a user-id column, when given
    and present), a value (a rating) by RMSE and MAE. A model with one
    output reads its labels from column `label` (default: the model's
    `default_label`, e.g. `"label"` or `"rating"`) and returns its metrics
    and `"rows"`; a multi-task model reads each task's column (the task's
    name) and returns `{"tasks": {task: metrics}, "rows": n}` with the mean
    AUC of its probability tasks as `"auc"`; a task the model trains on a
    sample space (`model.task_masks`, e.g. purchase on clicked rows) is
    scored on the rows of that space only. A model whose family lists
    `gauc_weights` (e.g. `("impressions", "clicks")`) gets a GAUC per
    weighting (`"gauc"`, `"gauc_clicks"`); by default impressions only.

    Args:
        model: a tfrank model (any `RankingModel`).
        frame: pandas DataFrame (or dict of columns) with the model's
            feature columns and labels.
        label: label column of a one-output model.
        group: optional column to compute GAUC over.
        batch_size: int. Rows per prediction batch.
        predict: optional `predict(model, dataset)` -> outputs, in place of
            `model.predict` (multi-worker training scores locally).

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> from tfrank.models import LogisticRegression
    >>> data = SyntheticCTR(seed=0)
    >>> train = data.sample(2000)
    >>> model = LogisticRegression(data.feature_spec().fit(train))
    >>> sorted(score_frame(model, train, group="user_id"))
    ['auc', 'gauc', 'logloss', 'rows']
    """
    frame = as_frame(frame)
    kinds = model.output_kinds
    columns = {name: name for name in kinds} if len(kinds) > 1 else {
        next(iter(kinds)): label or model.default_label
    }  # fmt: skip
    missing = [c for c in columns.values() if c not in frame.columns]
    if missing:
        raise ValueError(
            f"The data has no label column(s) {missing} to score against; "
            f"columns: {list(frame.columns)}"
        )
    dataset = make_dataset(frame, model.feature_spec, label=None, batch_size=batch_size)
    outputs = predict(model, dataset) if predict else model.predict(dataset, verbose=0)
    groups = frame[group].to_numpy() if group is not None and group in frame.columns else None
    labels = {name: pd.to_numeric(frame[columns[name]]).to_numpy() for name in kinds}
    return scores_of(kinds, labels, outputs, groups, len(frame), getattr(model, "task_masks", None),
                     getattr(model, "gauc_weights", IMPRESSIONS))  # fmt: skip


def score_dataset(model, dataset, predict=None) -> dict:
    """Scores `model` on batches of `(features, labels)` (a dict of labels
    per task for multi-task models), e.g. streamed validation rows, as
    `score_frame` scores a table; the labels are read in the same pass.

    Example:

    >>> from tfrank.data import SyntheticCTR, make_dataset
    >>> from tfrank.models import LogisticRegression
    >>> data = SyntheticCTR(seed=0)
    >>> rows = data.sample(600)
    >>> model = LogisticRegression(data.feature_spec().fit(rows))
    >>> scores = score_dataset(model, make_dataset(rows, model.feature_spec, batch_size=256))
    >>> sorted(scores), scores["rows"]
    (['auc', 'logloss', 'rows'], 600)
    """
    kinds = model.output_kinds
    labels = []
    features = dataset.map(lambda x, y: x)
    outputs = predict(model, features) if predict else model.predict(features, verbose=0)
    for y in dataset.map(lambda x, y: y).as_numpy_iterator():
        labels.append(y)
    if len(kinds) == 1:
        labels = {next(iter(kinds)): np.concatenate(labels)}
    else:
        labels = {name: np.concatenate([y[name] for y in labels]) for name in kinds}
    rows = len(next(iter(labels.values())))
    return scores_of(kinds, labels, outputs, None, rows, getattr(model, "task_masks", None))


def scores_of(kinds, labels, outputs, groups, rows, task_masks=None, gauc_weights=IMPRESSIONS):
    """Metrics of each output by its kind (`model.output_kinds`), from
    `{output: labels}` and `{output: predictions}` (or one array); an output
    named in `task_masks` (`{task: gating task}`) is scored on the rows
    whose gating label is 1."""
    if not isinstance(outputs, dict):
        outputs = {next(iter(kinds)): outputs}
    task_masks = task_masks or {}
    scores = {}
    for name in kinds:
        y = np.asarray(labels[name]).reshape(-1)
        predicted = np.asarray(outputs[name]).reshape(-1)
        rows_groups = groups
        if name in task_masks:
            keep = np.asarray(labels[task_masks[name]]).reshape(-1) == 1
            y, predicted = y[keep], predicted[keep]
            rows_groups = None if groups is None else np.asarray(groups)[keep]
        scores[name] = score_predictions(y, predicted, kinds[name], rows_groups, gauc_weights)
    if len(kinds) == 1:
        return {**next(iter(scores.values())), "rows": rows}
    aucs = [s["auc"] for s in scores.values() if "auc" in s]
    summary = {"auc": float(np.mean(aucs))} if aucs else {}
    return {**summary, "tasks": scores, "rows": rows}
