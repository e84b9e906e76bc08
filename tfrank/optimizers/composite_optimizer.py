"""CompositeOptimizer: different optimizers for different parts of a model."""

from __future__ import annotations

import keras

from tfrank.registration import register_layer


@register_layer
class CompositeOptimizer(keras.optimizers.Optimizer):
    """Routes each variable to the optimizer of the model part it belongs to.

    A variable whose `path` starts with one of the `routes` prefixes (its top
    layer's name and a `/`, e.g. `"wide/"`) is updated by that optimizer; all
    others by `default`. Every sub-optimizer keeps its own slots, learning
    rate and step count, so one `fit` trains a Wide & Deep model with FTRL on
    the wide part and AdaGrad on the deep part, as in the paper.

    Args:
        routes: dict mapping a variable-path prefix to an optimizer.
        default: optimizer for variables no prefix matches.
        name: str. Defaults to `"composite"`.

    Example:

    >>> wide = keras.layers.Dense(1, kernel_initializer="zeros", name="wide")
    >>> deep = keras.layers.Dense(1, kernel_initializer="zeros", name="deep")
    >>> wide.build((None, 1)); deep.build((None, 1))
    >>> variables = [wide.kernel, deep.kernel]
    >>> [v.path for v in variables]
    ['wide/kernel', 'deep/kernel']
    >>> optimizer = CompositeOptimizer(
    ...     {"wide/": keras.optimizers.SGD(0.5)}, default=keras.optimizers.SGD(0.25))
    >>> optimizer.apply([keras.ops.ones((1, 1))] * 2, variables)    # gradient 1 for both
    >>> [float(v[0, 0]) for v in variables]                      # 0 - 0.5 and 0 - 0.25
    [-0.5, -0.25]

    In a model, pass it to `compile` (`WideAndDeep.make_optimizer` builds
    the paper's FTRL + AdaGrad pair):
    `model.compile(optimizer=optimizer, loss="binary_crossentropy")`.
    """

    def __init__(self, routes, default, name="composite", **kwargs):
        if kwargs:
            raise ValueError(
                "CompositeOptimizer takes no optimizer arguments of its own; set "
                f"them on the sub-optimizers. Received: {sorted(kwargs)}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.routes = {prefix: keras.optimizers.get(opt) for prefix, opt in dict(routes).items()}
        self.default = keras.optimizers.get(default)
        if not self.routes:
            raise ValueError("CompositeOptimizer needs at least one route.")

    def _route(self, variable) -> keras.optimizers.Optimizer:
        path = variable.path
        for prefix, optimizer in self.routes.items():
            if path.startswith(prefix):
                return optimizer
        return self.default

    def _split(self, variables, grads=None):
        groups = {id(opt): ([], [], opt) for opt in self._sub_optimizers}
        for i, variable in enumerate(variables):
            group = groups[id(self._route(variable))]
            group[0].append(variable)
            group[1].append(None if grads is None else grads[i])
        return [g for g in groups.values() if g[0]]

    @property
    def _sub_optimizers(self):
        return list(self.routes.values()) + [self.default]

    def build(self, var_list):
        for variables, _, optimizer in self._split(var_list):
            optimizer.build(variables)
        super().build(var_list)

    @property
    def variables(self):
        subs = [v for opt in self._sub_optimizers if opt.built for v in opt.variables]
        return self._variables + subs

    def apply(self, grads, trainable_variables=None):
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            with keras.name_scope(self.name, caller=self):
                self.build(trainable_variables)
            self.built = True
        for variables, sub_grads, optimizer in self._split(trainable_variables, grads):
            optimizer.apply(sub_grads, variables)
        self._iterations.assign_add(1)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        raise NotImplementedError(
            "CompositeOptimizer supports the TensorFlow backend's stateful updates only."
        )

    def finalize_variable_values(self, var_list):
        for variables, _, optimizer in self._split(var_list):
            optimizer.finalize_variable_values(variables)

    @property
    def learning_rate(self):
        return self.default.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        # The default's rate is the one callbacks (ReduceLROnPlateau) adjust.
        self.default.learning_rate = value

    def get_config(self):
        return {
            "name": self.name,
            "routes": {p: keras.optimizers.serialize(o) for p, o in self.routes.items()},
            "default": keras.optimizers.serialize(self.default),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["routes"] = {
            p: keras.optimizers.deserialize(o, custom_objects=custom_objects)
            for p, o in config["routes"].items()
        }
        config["default"] = keras.optimizers.deserialize(
            config["default"], custom_objects=custom_objects
        )
        return cls(**config)
