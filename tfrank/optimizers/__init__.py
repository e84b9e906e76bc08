from tfrank.optimizers.composite_optimizer import CompositeOptimizer
from tfrank.optimizers.lazy_adam import LazyAdam

__all__ = ["CompositeOptimizer", "LazyAdam"]
