"""ExtractionLevel: one level of PLE (Customized Gate Control)."""

from __future__ import annotations

from tfrank.layers.multitask.expert_fusion import ExpertFusion
from tfrank.layers.multitask.mixture_of_experts import _positive
from tfrank.registration import register_layer


@register_layer
class ExtractionLevel(ExpertFusion):
    """One extraction network of Progressive Layered Extraction (Tang et al., 2020).

    Task `t` has `task_experts` experts of its own input `x_t`; the
    `shared_experts` read the shared input `x_s`. Task `t`'s gate weighs its
    own experts and the shared ones (Customized Gate Control); the shared
    output, which feeds the next level, weighs every expert:

        y_t = sum_{k in E_t + E_s} softmax(W_t x_t)_k E_k
        y_s = sum_{k in all experts} softmax(W_s x_s)_k E_k

    Stack levels by feeding `[y_1, ..., y_T, y_s]` to the next one; the
    last level sets `output_shared=False`. The first level reads the same
    input `T + 1` times.

    Args:
        num_tasks: int.
        task_experts: int. Experts per task.
        shared_experts: int.
        expert_units, activation, dropout: as in `ExpertFusion`.
        output_shared: bool. Also return `y_s`. Defaults to `True`.

    Call arguments:
        inputs: list of `num_tasks + 1` tensors `[batch, d]` (tasks, then shared).
        return_gates: bool. Also return the gate weights.

    Returns:
        A list of `num_tasks` (+ 1) tensors `[batch, expert_units[-1]]`.

    Example:

    >>> from keras import ops
    >>> x = ops.ones((2, 5))
    >>> level = ExtractionLevel(2, task_experts=1, shared_experts=2, expert_units=[4])
    >>> outputs, gates = level([x, x, x], return_gates=True)
    >>> [tuple(y.shape) for y in outputs]   # y_1, y_2, y_s
    [(2, 4), (2, 4), (2, 4)]
    >>> [tuple(g.shape) for g in gates]   # tasks: own 1 + shared 2; shared: all 4
    [(2, 3), (2, 3), (2, 4)]

    References:
        - [Tang et al., 2020](https://dl.acm.org/doi/10.1145/3383313.3412236)
    """

    def __init__(
        self, num_tasks, task_experts, shared_experts, expert_units, output_shared=True, **kwargs
    ):
        super().__init__(expert_units, **kwargs)
        self.num_tasks = _positive(num_tasks, "num_tasks")
        self.task_experts = _positive(task_experts, "task_experts", 0)
        self.shared_experts = _positive(shared_experts, "shared_experts", 0)
        if not self.task_experts and not self.shared_experts:
            raise ValueError("ExtractionLevel needs task_experts or shared_experts.")
        self.output_shared = bool(output_shared)

    def routing(self):
        t, shared = self.num_tasks, self.num_tasks
        groups = [(i, self.task_experts) for i in range(t)] + [(shared, self.shared_experts)]
        outputs = [(i, [i, shared], None) for i in range(t)]
        if self.output_shared:
            outputs.append((shared, list(range(t + 1)), None))
        return groups, outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            num_tasks=self.num_tasks, task_experts=self.task_experts,
            shared_experts=self.shared_experts, output_shared=self.output_shared,
        )  # fmt: skip
        return config
