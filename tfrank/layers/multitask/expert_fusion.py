"""ExpertFusion: the routing of experts to tasks shared by MMoE, PLE and AdaTT."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock


class ExpertFusion(keras.layers.Layer):
    """Groups of experts, each reading one input, fused per output by gates.

    Output `o` reads input `i_o`, weighs the experts of its groups `G_o` by a
    softmax gate and, where it has a native group `r_o`, adds a learned
    linear combination of that group's experts (AdaTT's residual):

        y_o = sum_{k in G_o} softmax(W_o x_{i_o})_k E_k(x_{group input})
              + sum_{j in r_o} v_{o,j} E_j

    Subclasses (`MixtureOfExperts`, `ExtractionLevel`, `AdaTTFusion`) set the
    routing; this class builds the experts (`MLPBlock`s of `expert_units`),
    the gates (bias-free `Dense`, as in the papers) and the residual weights
    (`native_initializer`: zeros by default, so the residual starts off and
    training turns it on; AdaTT with zeros beat ones by ~0.002 AUC on the
    synthetic task pairs, see benchmarks/README.md, "Multi-task: task
    correlation").

    Args:
        expert_units: list of int. Each expert's MLP widths.
        activation: str. Of the experts' layers. Defaults to `"relu"`.
        dropout: float. In the experts. Defaults to `0.0`.
        native_initializer: initializer of the residual weights `v`.
            Defaults to `"zeros"`.

    Example:

    A subclass's `routing()` returns the expert groups, `[(input index,
    number of experts)]`, and the outputs, `[(input index, [group indices],
    native group index or None)]`:

    >>> class TwoTasks(ExpertFusion):   # 3 experts of one input, 2 gated outputs
    ...     def routing(self):
    ...         return [(0, 3)], [(0, [0], None), (0, [0], 0)]
    >>> layer = TwoTasks([4])
    >>> outputs, gates = layer(ops.ones((2, 5)), return_gates=True)
    >>> [tuple(y.shape) for y in outputs], [tuple(g.shape) for g in gates]
    ([(2, 4), (2, 4)], [(2, 3), (2, 3)])
    >>> ops.convert_to_numpy(ops.sum(gates[0], axis=-1)).round(4).tolist()   # softmax gates
    [1.0, 1.0]
    >>> ops.convert_to_numpy(layer.native_weights[1]).tolist()   # output 1's residual: off
    [0.0, 0.0, 0.0]
    """

    def __init__(self, expert_units, activation="relu", dropout=0.0, native_initializer="zeros",
                 **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.native_initializer = keras.initializers.get(native_initializer)
        self.expert_units = [int(u) for u in expert_units]
        self.activation = activation
        self.dropout = float(dropout)

    # Subclasses: [(input index, number of experts)] and
    # [(input index, [group indices], native group index or None)].
    def routing(self):
        raise NotImplementedError

    def build(self, input_shape):
        groups, outputs = self.routing()
        shapes = self._shapes(input_shape)
        needed = 1 + max(source for source, _ in groups)
        if len(shapes) != needed:
            raise ValueError(
                f"{type(self).__name__} reads {needed} input(s); received {len(shapes)}."
            )
        self.experts = []
        for g, (source, count) in enumerate(groups):
            group = []
            for k in range(count):
                expert = MLPBlock(self.expert_units, self.activation, self.dropout,
                                  name=f"expert_{g}_{k}")  # fmt: skip
                expert.build(shapes[source])
                group.append(expert)
            self.experts.append(group)
        self.gates, self.native_weights = [], []
        for o, (source, members, native) in enumerate(outputs):
            width = sum(groups[g][1] for g in members)
            gate = keras.layers.Dense(width, use_bias=False, name=f"gate_{o}")
            gate.build(shapes[source])
            self.gates.append(gate)
            self.native_weights.append(
                None
                if native is None
                else self.add_weight(
                    name=f"native_{o}",
                    shape=(groups[native][1],),
                    initializer=self.native_initializer,
                )
            )

    def call(self, inputs, training=None, return_gates=False):
        inputs = self._as_list(inputs)
        groups, outputs = self.routing()
        # An empty group (PLE without task experts) contributes nothing.
        expert_outputs = [
            ops.stack([e(inputs[source], training=training) for e in group], axis=1)
            if group
            else None
            for (source, _), group in zip(groups, self.experts)
        ]
        fused, weights = [], []
        for (source, members, native), gate, v in zip(outputs, self.gates, self.native_weights):
            parts = [expert_outputs[g] for g in members if expert_outputs[g] is not None]
            stacked = ops.concatenate(parts, axis=1)
            w = ops.softmax(gate(inputs[source]), axis=-1)
            y = ops.sum(ops.expand_dims(w, -1) * stacked, axis=1)
            if v is not None:
                y = y + ops.einsum("k,bkd->bd", v, expert_outputs[native])
            fused.append(y)
            weights.append(w)
        return (fused, weights) if return_gates else fused

    def compute_output_shape(self, input_shape):
        batch = self._shapes(input_shape)[0][0]
        return [(batch, self.expert_units[-1]) for _ in self.routing()[1]]

    def get_config(self):
        config = super().get_config()
        config.update(
            expert_units=self.expert_units, activation=self.activation, dropout=self.dropout,
            native_initializer=keras.initializers.serialize(self.native_initializer),
        )  # fmt: skip
        return config

    @staticmethod
    def _as_list(inputs):
        return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]

    @staticmethod
    def _shapes(input_shape):
        # One shape (a tuple of ints / None) or a list of them.
        if (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and not isinstance(input_shape[0], (int, type(None)))
        ):
            return [tuple(s) for s in input_shape]
        return [tuple(input_shape)]
