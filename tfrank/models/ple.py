"""PLE: task-specific and shared experts, progressively extracted."""

from __future__ import annotations

from tfrank.layers.multitask.extraction_level import ExtractionLevel
from tfrank.models.building_blocks import as_feature_spec, make_inputs
from tfrank.models.multi_task_model import (
    MultiTaskModel,
    normalize_tasks,
    shared_input,
    stack_levels,
)
from tfrank.registration import register_model


@register_model(
    "ple",
    summary=(
        "task-specific and shared experts with customized gates, stacked levels (`ExtractionLevel`)"
    ),
    paper="Tang et al. 2020",
)
class PLE(MultiTaskModel):
    """Progressive Layered Extraction (Tang et al., 2020).

    `levels` stacked `ExtractionLevel`s (Customized Gate Control): at each,
    task `t` gates its own experts and the shared ones; the shared branch
    gates all of them and feeds the next level. The last level's task
    outputs go to the towers:

        [y_1..y_T, y_s]^{l+1} = CGC_l([y_1..y_T, y_s]^l),   y^0 = x for all

    With `levels=1` this is CGC.

    Args:
        feature_spec: fitted `FeatureSpec`.
        tasks: task names or `{name, loss, weight}` dicts (see `MultiTaskModel`).
        levels: int. Defaults to `2`.
        task_experts: int. Experts per task and level. Defaults to `2`.
        shared_experts: int. Per level. Defaults to `2`.
        expert_units: list of int. Defaults to `(64,)`.
        tower_units: list of int. Defaults to `(32,)`.
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
    >>> model = PLE(spec, tasks=data.task_names, levels=2, task_experts=1, shared_experts=1,
    ...             expert_units=[4], tower_units=[4])
    >>> outputs = model.predict(frame.head(4), verbose=0)        # one output per task
    >>> {task: out.shape for task, out in sorted(outputs.items())}
    {'task_1': (4, 1), 'task_2': (4, 1)}
    >>> [layer.name for layer in model.layers if layer.name.startswith("extraction")]
    ['extraction_0', 'extraction_1']

    References:
        - [Tang et al., 2020](https://dl.acm.org/doi/10.1145/3383313.3412236)
    """

    def __init__(self, feature_spec, tasks, levels=2, task_experts=2, shared_experts=2,
                 expert_units=(64,), tower_units=(32,), dropout=0.0, task_masks=None,
                 **kwargs):  # fmt: skip
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        count = len(normalize_tasks(tasks))

        def level(i, last):
            return ExtractionLevel(
                count, task_experts, shared_experts, expert_units, output_shared=not last,
                dropout=dropout, name=f"extraction_{i}",
            )  # fmt: skip

        streams = stack_levels(shared_input(spec, inputs), count + 1, levels, level)
        config = dict(levels=int(levels), task_experts=int(task_experts),
                      shared_experts=int(shared_experts),
                      expert_units=[int(u) for u in expert_units])  # fmt: skip
        super().__init__(inputs, streams, spec, tasks, tower_units, dropout, config,
                         task_masks=task_masks, **kwargs)  # fmt: skip
