"""MixtureOfExperts: MMoE's shared experts with one gate per task."""

from __future__ import annotations

from tfrank.layers.multitask.expert_fusion import ExpertFusion
from tfrank.registration import register_layer


@register_layer
class MixtureOfExperts(ExpertFusion):
    """Multi-gate Mixture-of-Experts (Ma et al., 2018):

        y_t = sum_k softmax(W_t x)_k E_k(x),    t = 1..num_tasks

    every task reads the same `num_experts` experts of the shared input `x`
    through its own gate.

    Args:
        num_tasks: int.
        num_experts: int.
        expert_units, activation, dropout: as in `ExpertFusion`.

    Call arguments:
        inputs: `[batch, d]`.
        return_gates: bool. Also return each task's `[batch, num_experts]`
            gate weights.

    Returns:
        A list of `num_tasks` tensors `[batch, expert_units[-1]]`.

    Example:

    >>> from keras import ops
    >>> moe = MixtureOfExperts(num_tasks=2, num_experts=3, expert_units=[4])
    >>> towers, gates = moe(ops.ones((2, 5)), return_gates=True)
    >>> [tuple(t.shape) for t in towers], [tuple(g.shape) for g in gates]
    ([(2, 4), (2, 4)], [(2, 3), (2, 3)])
    >>> ops.convert_to_numpy(ops.sum(gates[1], axis=-1)).round(4).tolist()   # softmax
    [1.0, 1.0]

    References:
        - [Ma et al., 2018](https://dl.acm.org/doi/10.1145/3219819.3220007)
    """

    def __init__(self, num_tasks, num_experts, expert_units, **kwargs):
        super().__init__(expert_units, **kwargs)
        self.num_tasks = _positive(num_tasks, "num_tasks")
        self.num_experts = _positive(num_experts, "num_experts")

    def routing(self):
        return [(0, self.num_experts)], [(0, [0], None)] * self.num_tasks

    def get_config(self):
        config = super().get_config()
        config.update(num_tasks=self.num_tasks, num_experts=self.num_experts)
        return config


def _positive(value, name, minimum=1):
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}. Received: {value}")
    return value
