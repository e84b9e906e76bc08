"""AdaTTFusion: one level of Adaptive Task-to-Task Fusion."""

from __future__ import annotations

from tfrank.layers.multitask.expert_fusion import ExpertFusion
from tfrank.layers.multitask.mixture_of_experts import _positive
from tfrank.registration import register_layer


@register_layer
class AdaTTFusion(ExpertFusion):
    """One fusion level of AdaTT (Li et al., 2023).

    Task `t` has a group of `task_experts` experts of its own input `x_t`
    (and `shared_experts` read a shared input `x_s`). Each task fuses the
    outputs of *every* expert, its own, the other tasks' and the shared
    ones, with a gate on its input, and adds a learned linear combination
    of its own experts (AdaTT-sp's native residual):

        y_t = sum_{k in all experts} softmax(W_t x_t)_k E_k + sum_{j in E_t} v_{t,j} E_j
        y_s = sum_{k in all experts} softmax(W_s x_s)_k E_k      (with shared experts)

    With `shared_experts=0` this is AdaTT-sp. Stack levels by feeding the
    outputs to the next one (the first reads the same input for every
    task); the last level sets `output_shared=False`.

    Args:
        num_tasks: int.
        task_experts: int. Experts per task.
        expert_units, activation, dropout: as in `ExpertFusion`.
        shared_experts: int. Defaults to `0`.
        output_shared: bool. Also return `y_s` (with shared experts).
            Defaults to `True`.

    Call arguments:
        inputs: list of `num_tasks` tensors `[batch, d]`, then the shared
            input when `shared_experts > 0`.
        return_gates: bool. Also return the gate weights.

    Returns:
        A list of `num_tasks` (+ 1) tensors `[batch, expert_units[-1]]`.

    Example:

    >>> from keras import ops
    >>> x = ops.ones((2, 5))   # first level: the same input for both tasks and shared
    >>> level = AdaTTFusion(2, task_experts=2, expert_units=[4], shared_experts=1)
    >>> outputs, gates = level([x, x, x], return_gates=True)
    >>> [tuple(y.shape) for y in outputs]   # y_1, y_2, y_s
    [(2, 4), (2, 4), (2, 4)]
    >>> [tuple(g.shape) for g in gates]   # every gate weighs all 2 + 2 + 1 experts
    [(2, 5), (2, 5), (2, 5)]

    References:
        - [Li et al., 2023](https://arxiv.org/abs/2304.04959)
    """

    def __init__(
        self, num_tasks, task_experts, expert_units, shared_experts=0, output_shared=True,
        **kwargs,
    ):  # fmt: skip
        super().__init__(expert_units, **kwargs)
        self.num_tasks = _positive(num_tasks, "num_tasks")
        self.task_experts = _positive(task_experts, "task_experts")
        self.shared_experts = _positive(shared_experts, "shared_experts", 0)
        self.output_shared = bool(output_shared)

    def routing(self):
        t = self.num_tasks
        groups = [(i, self.task_experts) for i in range(t)]
        if self.shared_experts:
            groups.append((t, self.shared_experts))
        every = list(range(len(groups)))
        outputs = [(i, every, i) for i in range(t)]
        if self.shared_experts and self.output_shared:
            outputs.append((t, every, None))
        return groups, outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            num_tasks=self.num_tasks, task_experts=self.task_experts,
            shared_experts=self.shared_experts, output_shared=self.output_shared,
        )  # fmt: skip
        return config
