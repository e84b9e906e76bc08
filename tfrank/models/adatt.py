"""AdaTT: adaptive task-to-task fusion of task-specific and shared experts."""

from __future__ import annotations

from tfrank.layers.multitask.adatt_fusion import AdaTTFusion
from tfrank.models.building_blocks import as_feature_spec, make_inputs
from tfrank.models.multi_task_model import (
    MultiTaskModel,
    normalize_tasks,
    shared_input,
    stack_levels,
)
from tfrank.registration import register_model


@register_model(
    "adatt",
    summary=(
        "per-task expert groups fused by each task's gate, plus a linear residual of its "
        "own (`AdaTTFusion`)"
    ),
    paper="Li et al. 2023",
)
class AdaTT(MultiTaskModel):
    """Adaptive Task-to-Task Fusion Network (Li et al., KDD 2023).

    `levels` stacked `AdaTTFusion` levels. At each, task `t` has its own
    group of experts; its gate fuses the outputs of every expert (all
    tasks' and the shared ones: task-to-task fusion learned per input),
    and a learned linear combination of its own experts is added (the
    native-expert residual of AdaTT-sp):

        y_t^{l+1} = sum_k softmax(W_t^l y_t^l)_k E_k^l + sum_{j in E_t} v_{t,j}^l E_j^l

    The last level's outputs go to the task towers. `shared_experts=0`
    gives AdaTT-sp.

    Args:
        feature_spec: fitted `FeatureSpec`.
        tasks: task names or `{name, loss, weight}` dicts (see `MultiTaskModel`).
        levels: int. Fusion levels. Defaults to `2`.
        task_experts: int. Experts per task and level. Defaults to `2`.
        shared_experts: int. Per level. Defaults to `1`.
        expert_units: list of int. Defaults to `(64,)`.
        tower_units: list of int. Defaults to `(32,)`.
        dropout: float. Defaults to `0.0`.
        native_initializer: str. Initializer of the native-expert residual
            weights `v`: `"zeros"` (default: the residual starts off and is
            learned) or `"ones"` (each task's own experts summed from the
            start; ~0.002 AUC lower on the synthetic task pairs).
        task_masks: dict `{task: gating task}`. Trains each listed task on
            the rows where the gating task's label is 1 (e.g.
            `{"purchase": "click"}`), see `MultiTaskModel`. Defaults to
            `None`: every task on every row.

    Example:

    >>> from tfrank.data import SyntheticMultiTask
    >>> data = SyntheticMultiTask(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = AdaTT(spec, tasks=data.task_names, levels=2, task_experts=1,
    ...               expert_units=[4], tower_units=[4])
    >>> outputs = model.predict(frame.head(4), verbose=0)        # one output per task
    >>> {task: out.shape for task, out in sorted(outputs.items())}
    {'task_1': (4, 1), 'task_2': (4, 1)}
    >>> [layer.name for layer in model.layers if layer.name.startswith("fusion")]
    ['fusion_0', 'fusion_1']

    References:
        - [Li et al., 2023](https://arxiv.org/abs/2304.04959)
    """

    def __init__(self, feature_spec, tasks, levels=2, task_experts=2, shared_experts=1,
                 expert_units=(64,), tower_units=(32,), dropout=0.0, native_initializer="zeros",
                 task_masks=None, **kwargs):  # fmt: skip
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        count = len(normalize_tasks(tasks))

        def level(i, last):
            return AdaTTFusion(
                count, task_experts, expert_units, shared_experts=shared_experts,
                output_shared=not last, dropout=dropout, native_initializer=native_initializer,
                name=f"fusion_{i}",
            )  # fmt: skip

        streams = stack_levels(
            shared_input(spec, inputs), count + (1 if shared_experts else 0), levels, level
        )
        config = dict(levels=int(levels), task_experts=int(task_experts),
                      shared_experts=int(shared_experts),
                      expert_units=[int(u) for u in expert_units],
                      native_initializer=native_initializer)  # fmt: skip
        super().__init__(inputs, streams, spec, tasks, tower_units, dropout, config,
                         task_masks=task_masks, **kwargs)  # fmt: skip
