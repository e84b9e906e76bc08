"""`python -m tests.cli.paused_run EPOCH STEP MARKER ARGS...`: the `tfrank`
command with a `PauseAtStep(EPOCH, STEP, MARKER)` callback in training, so a
test can kill it at a known step (`tests.helpers.processes.kill_mid_epoch`)."""

import sys


def _paused_tfrank(argv) -> int:
    """`tfrank ARGS` with a `PauseAtStep(EPOCH, STEP, MARKER)` callback in
    training (argv: EPOCH STEP MARKER ARGS...)."""
    epoch, step, marker, *args = argv
    import tfrank.training
    from tests.helpers.faults import PauseAtStep
    from tfrank.cli.main import main

    train = tfrank.training.train

    def paused_train(run=None, /, callbacks=(), **settings):
        pause = PauseAtStep(int(epoch), int(step), marker)
        return train(run, callbacks=[*callbacks, pause], **settings)

    tfrank.training.train = paused_train  # the command looks it up when it trains
    return main(args)


if __name__ == "__main__":
    sys.exit(_paused_tfrank(sys.argv[1:]))
