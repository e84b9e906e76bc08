from tfrank.optimizers.composite_optimizer import CompositeOptimizer

__all__ = ["CompositeOptimizer"]
