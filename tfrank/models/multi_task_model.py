"""MultiTaskModel: the base of models that predict several labels at once."""

from __future__ import annotations

import re

import keras

from tfrank.data.sources import MULTITASK_SOURCES
from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.models.building_blocks import flat_embeddings, transform_features
from tfrank.models.ranking_model import RankingModel
from tfrank.models.task_masks import (
    normalize_task_masks,
    task_sample_spaces,
    task_sample_weights,
)

_LOSSES = {"binary_crossentropy": "binary_crossentropy", "bce": "binary_crossentropy",
           "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error"}  # fmt: skip
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MultiTaskModel(RankingModel):
    """A `RankingModel` with one output per task, named by the task.

    Subclasses turn the shared input into one vector per task (experts,
    gates); this base puts a tower (`MLPBlock`) and a head on each: a
    sigmoid probability for a binary cross-entropy task, the raw value for
    a mean-squared-error one. The total loss is `sum_t lambda_t L_t`.

    - `tasks`: task names (each the label column of its data), or dicts
      `{"name": str, "loss": "binary_crossentropy" | "mse", "weight": float}`
      (defaults: binary cross-entropy, weight 1).
    - The exported `serving_default` returns one `[batch, 1]` output per
      task, named by the task.
    - `compile()` defaults: the model's optimizer, each task's loss and
      weight, AUC (binary) or RMSE (regression) per task.
    - Training stops early on the mean validation AUC of the binary tasks
      (`val_auc`), or the mean RMSE when there are none.
    - `task_masks`: `{task: gating task}` trains a task on a sample space,
      the rows where the gating (binary) task's label is 1: e.g.
      `{"purchase": "click"}` fits conversion on clicked rows only, the
      click space in which the ESMM paper defines CVR. Its loss is the mean
      over those rows, `L_t = sum_i [y_g,i = 1] l_t,i / sum_i [y_g,i = 1]`
      (rows outside have no gradient), and its metrics, in `fit` logs and
      in `score`, are over those rows too. Defaults to none: every task on
      every row.

    The multi-task family reads `synthetic` (the default, `SyntheticMultiTask`:
    two tasks whose relatedness is set as in the MMoE paper), `census:PATH`,
    `aliccp:PATH`, or labelled `csv:` / `parquet:` tables whose label columns
    are the `tasks` of the model's configuration.

    Example:

    >>> from tfrank.models import MMoE
    >>> data = MMoE.prepare_training("synthetic:600", batch_size=200)
    >>> model = MMoE.for_training(data.spec, {"num_experts": 2, "expert_units": [4]}, data.train)
    >>> model.task_names, model.output_kinds
    (['task_1', 'task_2'], {'task_1': 'probability', 'task_2': 'probability'})
    >>> sorted(model.score(data.example_frame)["tasks"])
    ['task_1', 'task_2']
    """

    family_name = "multi-task"
    data_sources = MULTITASK_SOURCES

    def __init__(self, inputs, task_vectors, feature_spec, tasks, tower_units, dropout,
                 config, task_masks=None, **kwargs):  # fmt: skip
        tasks = normalize_tasks(tasks)
        task_masks = normalize_task_masks(task_masks, tasks)
        if len(task_vectors) != len(tasks):
            raise ValueError(f"{len(task_vectors)} task vectors for {len(tasks)} tasks.")
        outputs = {}
        for task, vector in zip(tasks, task_vectors):
            name = task["name"]
            if tower_units:
                vector = MLPBlock(tower_units, dropout=dropout, name=f"tower_{name}")(vector)
            value = keras.layers.Dense(1, name=f"head_{name}")(vector)
            binary = task["loss"] == "binary_crossentropy"
            outputs[name] = keras.layers.Activation("sigmoid" if binary else "linear", name=name)(
                value
            )
        config = dict(config, tasks=tasks, tower_units=[int(u) for u in tower_units],
                      dropout=float(dropout), task_masks=task_masks)  # fmt: skip
        super().__init__(inputs, outputs, feature_spec, config=config, **kwargs)

    @property
    def task_names(self) -> list[str]:
        return [t["name"] for t in self.tasks]

    def serving_outputs(self, outputs) -> dict:
        return dict(outputs)

    @property
    def output_kinds(self) -> dict:
        return {
            t["name"]: "probability" if t["loss"] == "binary_crossentropy" else "value"
            for t in self.tasks
        }

    @classmethod
    def label_of(cls, source, config=None):
        """The data's label columns; for a plain table (label `"label"`),
        the `tasks` of the configuration when it names them."""
        tasks = (config or {}).get("tasks")
        if source.label == "label" and tasks:
            return [t if isinstance(t, str) else t["name"] for t in tasks]
        return source.label

    def compile(self, optimizer=None, loss=None, metrics=None, loss_weights=None, **kwargs):
        """Per-task losses, weights and metrics unless given."""
        names = self.task_names
        binary = {t["name"]: t["loss"] == "binary_crossentropy" for t in self.tasks}
        default_metrics = {
            n: [keras.metrics.AUC(name="auc")]
            if binary[n]
            else [keras.metrics.RootMeanSquaredError(name="rmse")]
            for n in names
        }
        keras.Model.compile(
            self,
            optimizer=optimizer if optimizer is not None else self.default_optimizer(),
            loss=loss if loss is not None else {t["name"]: t["loss"] for t in self.tasks},
            loss_weights=loss_weights
            if loss_weights is not None
            else {t["name"]: t["weight"] for t in self.tasks},
            metrics=metrics if metrics is not None else default_metrics,
            **kwargs,
        )

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # Every training path (fit, the multi-worker loop) reaches the loss
        # here, so the sample spaces apply to all of them.
        weights = task_sample_weights(self.task_names, self.task_masks, y, sample_weight)
        return super().compute_loss(x, y, y_pred, weights, training=training)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        y, y_pred, sample_weight = task_sample_spaces(
            self.task_names, self.task_masks, y, y_pred, sample_weight
        )
        return super().compute_metrics(x, y, y_pred, sample_weight)

    def training_callbacks(self) -> list:
        return [MeanTaskMetric(self.tasks)]

    def early_stopping(self) -> tuple[str, str]:
        binary = any(t["loss"] == "binary_crossentropy" for t in self.tasks)
        return ("val_auc", "max") if binary else ("val_rmse", "min")

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """Tasks default to the label columns of the training data."""
        config = dict(config or {})
        if "tasks" not in config and train_data is not None:
            labels = train_data.element_spec[1]
            if not isinstance(labels, dict):
                raise ValueError(
                    f"{cls.__name__} needs one label column per task; the data has one label."
                )
            config["tasks"] = list(labels)
        return cls(feature_spec, **config)


class MeanTaskMetric(keras.callbacks.Callback):
    """Adds `val_auc` (mean over binary tasks) or `val_rmse` (over the
    others) to the epoch logs, for early stopping on all tasks at once."""

    def __init__(self, tasks):
        super().__init__()
        self.tasks = tasks

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        binary = [t["name"] for t in self.tasks if t["loss"] == "binary_crossentropy"]
        key, names = ("auc", binary) if binary else ("rmse", [t["name"] for t in self.tasks])
        values = [logs[f"val_{n}_{key}"] for n in names if f"val_{n}_{key}" in logs]
        if values:
            logs[f"val_{key}"] = float(sum(values) / len(values))


def normalize_tasks(tasks) -> list[dict]:
    """`[{"name", "loss", "weight"}]` from names or partial dicts; checks them."""
    if not tasks:
        raise ValueError("A multi-task model needs `tasks`: the label column of each task.")
    result = []
    for task in tasks:
        task = {"name": task} if isinstance(task, str) else dict(task)
        unknown = set(task) - {"name", "loss", "weight"}
        if unknown or "name" not in task:
            raise ValueError(f"A task is a name or {{name, loss, weight}}; received {task}.")
        name, loss = str(task["name"]), task.get("loss", "binary_crossentropy")
        if not _NAME.match(name):
            raise ValueError(f"Task name {name!r} must be an identifier (it names an output).")
        if loss not in _LOSSES:
            raise ValueError(f"Task {name!r}: loss must be one of {sorted(_LOSSES)}; got {loss!r}.")
        weight = float(task.get("weight", 1.0))
        if not weight >= 0:
            raise ValueError(f"Task {name!r}: weight must be >= 0; got {weight}.")
        result.append({"name": name, "loss": _LOSSES[loss], "weight": weight})
    names = [t["name"] for t in result]
    if len(set(names)) != len(names):
        raise ValueError(f"Task names must be unique; received {names}.")
    return result


def shared_input(spec, inputs):
    """`[batch, d]`: every embedding and normalized numeric side by side, the
    input all multi-task models share."""
    return flat_embeddings(spec, transform_features(spec, inputs))


def stack_levels(x, streams, levels, make_level):
    """Feeds `streams` copies of `x` through `levels` levels; `make_level(i,
    last)` builds level `i` (the last one returns the task streams only)."""
    if int(levels) < 1:
        raise ValueError(f"levels must be at least 1. Received: {levels}")
    outputs = [x] * streams
    for level in range(int(levels)):
        outputs = make_level(level, level == int(levels) - 1)(outputs)
    return outputs
