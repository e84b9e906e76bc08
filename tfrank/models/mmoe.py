"""MMoE: shared experts, one softmax gate per task."""

from __future__ import annotations

from tfrank.layers.multitask.mixture_of_experts import MixtureOfExperts
from tfrank.models.building_blocks import as_feature_spec, make_inputs
from tfrank.models.multi_task_model import MultiTaskModel, normalize_tasks, shared_input
from tfrank.registration import register_model


@register_model(
    "mmoe",
    summary="shared experts, one softmax gate per task (`MixtureOfExperts`)",
    paper="Ma et al. 2018",
)
class MMoE(MultiTaskModel):
    """Multi-gate Mixture-of-Experts (Ma et al., 2018):

        f_t(x) = sum_k softmax(W_t x)_k E_k(x),    y_t = head_t(tower_t(f_t(x)))

    Args:
        feature_spec: fitted `FeatureSpec`.
        tasks: task names or `{name, loss, weight}` dicts (see `MultiTaskModel`).
        num_experts: int. Defaults to `8`.
        expert_units: list of int. Each expert's MLP. Defaults to `(64,)`.
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
    >>> model = MMoE(spec, tasks=data.task_names, num_experts=2, expert_units=[4],
    ...              tower_units=[4])
    >>> model.compile()                    # per task: its loss and weight, AUC
    >>> outputs = model.predict(frame.head(4), verbose=0)   # one output per task
    >>> {task: out.shape for task, out in sorted(outputs.items())}
    {'task_1': (4, 1), 'task_2': (4, 1)}

    References:
        - [Ma et al., 2018](https://dl.acm.org/doi/10.1145/3219819.3220007)
    """

    def __init__(self, feature_spec, tasks, num_experts=8, expert_units=(64,), tower_units=(32,),
                 dropout=0.0, task_masks=None, **kwargs):  # fmt: skip
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        count = len(normalize_tasks(tasks))
        mixture = MixtureOfExperts(count, num_experts, expert_units, dropout=dropout,
                                   name="experts")  # fmt: skip
        vectors = mixture(shared_input(spec, inputs))
        config = {"num_experts": int(num_experts),
                  "expert_units": [int(u) for u in expert_units]}  # fmt: skip
        super().__init__(inputs, vectors, spec, tasks, tower_units, dropout, config,
                         task_masks=task_masks, **kwargs)  # fmt: skip
