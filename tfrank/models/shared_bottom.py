"""Shared-Bottom: one network for all tasks, a tower per task."""

from __future__ import annotations

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.models.building_blocks import as_feature_spec, make_inputs
from tfrank.models.multi_task_model import MultiTaskModel, shared_input
from tfrank.registration import register_model


@register_model(
    "shared_bottom",
    summary="one bottom MLP for all tasks, a tower per task",
    paper="Caruana 1997",
)
class SharedBottom(MultiTaskModel):
    """The classic multi-task baseline (Caruana, 1997):

        h = MLP_bottom(x),    y_t = head_t(tower_t(h))

    Args:
        feature_spec: fitted `FeatureSpec`.
        tasks: task names (label columns) or `{name, loss, weight}` dicts,
            see `MultiTaskModel`.
        bottom_units: list of int. Defaults to `(256, 128)`.
        tower_units: list of int. Each task's tower. Defaults to `(64,)`.
        dropout: float. Defaults to `0.0`.
        task_masks: dict `{task: gating task}`. Trains each listed task on
            the rows where the gating task's label is 1 (e.g.
            `{"purchase": "click"}`), see `MultiTaskModel`. Defaults to
            `None`: every task on every row.

    Example:

    >>> from tfrank.data import SyntheticMultiTask
    >>> data = SyntheticMultiTask(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = SharedBottom(spec, tasks=data.task_names, bottom_units=[8], tower_units=[4])
    >>> outputs = model.predict(frame.head(4), verbose=0)        # one output per task
    >>> {task: out.shape for task, out in sorted(outputs.items())}
    {'task_1': (4, 1), 'task_2': (4, 1)}

    References:
        - [Caruana, 1997](https://doi.org/10.1023/A:1007379606734)
    """

    def __init__(self, feature_spec, tasks, bottom_units=(256, 128), tower_units=(64,),
                 dropout=0.0, task_masks=None, **kwargs):  # fmt: skip
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        bottom = MLPBlock(bottom_units, dropout=dropout, name="bottom")(shared_input(spec, inputs))
        count = len(tasks)
        config = {"bottom_units": [int(u) for u in bottom_units]}
        super().__init__(inputs, [bottom] * count, spec, tasks, tower_units, dropout, config,
                         task_masks=task_masks, **kwargs)  # fmt: skip
