"""Every case of the bad-input catalogue gets what docs/bad_input.md says: an
error whose whole message is one its row shows (a command's whole stderr that
one line, with its exit code), or a score equal to the documented one. Every
row of the page has a case."""

import os

import pytest

from tests.cli.bad_inputs import bad_input_cases, doc_rows, documented, run_process

# What each case gets: "error" (the library raises), "exit N" (a `tfrank`
# command fails with exit code N), "warning", or the exact description of
# what a case that scores (or skips rows) equals.
EXPECTED = {
    "predict on a DataFrame with an extra column": "equal to the typed arrays' scores",
    "predict on lists": "equal to the typed arrays' scores",
    "predict on np.asarray of str lists": "equal to the typed arrays' scores",
    "predict on make_dataset(frame)": "equal to the typed arrays' scores",
    "histories of [0, 1] steps": "equal to the padded arrays' scores",
    "predict without 'price'": "error",
    "fit without 'price'": "error",
    "predict on a frame without 'price'": "error",
    "an extra 'colour'": "error",
    "'hour' as float64": "error",
    "'site' as int64": "error",
    "price = NaN (Python API)": "equal to the score at the training mean",
    "price = inf in a frame": "error",
    "price = 1e39 in a frame given to predict": "error",
    "price = 1e39 at row 1 of a CSV given to tfrank train": "exit 2",
    "age = [1e39, -1e39] as a list given to predict": (
        "equal to the score at ±10,000 standard deviations (the clip)"
    ),
    "age = [inf, -inf] in arrays given to predict": (
        "equal to the score at ±10,000 standard deviations (the clip)"
    ),
    "age = [inf, -1e39] in a request to an export": (
        "equal to the score at ±10,000 standard deviations (the clip)"
    ),
    "age = 'forty'": "error",
    "hour = 1.5 in a frame": "error",
    "hour = NaN in a frame (int64)": "error",
    "fit on a frame without 'label'": "error",
    "make_dataset of a frame without 'label'": "error",
    "model.score of a frame without 'label'": "error",
    "label = 'yes' at row 3 in make_dataset": "error",
    "label missing at row 3, frame given to fit": "error",
    "site = ''": "equal to an unseen value's score (the OOV id)",
    "hour = -5 (int64 vocabulary)": "equal to an unseen id's score (the OOV id)",
    "ad_id = 1000 in a frame (num_ids=1000)": "error",
    "ad_id = 1000 in make_dataset": "error",
    "ad_id = 1000 at row 1 of a CSV given to tfrank train": "exit 2",
    "ad_id = [-5, 10**12] given to predict": "equal to the OOV row's score",
    "ad_id = [-5, 10**12] in a request to an export": "equal to the OOV row's score",
    "history of 0 steps ([2, 0] tensor)": "scores",
    "16 steps, max_length 8": "equal to the score of its latest 8 steps",
    "16 steps in make_dataset": "keeps the latest 8 entries",
    "history_items = '1 2 3'": "error",
    "history_items = [3, -1, 4]": "error",
    "line 2 with 3 fields": "warning",
    "line 3 with 41 fields": "error",
    "--data csv: of a file that is not there": "exit 2",
    "a 0-byte CSV": "exit 2",
    "a CSV without rows": "exit 2",
    "a CSV without 'price' and 'age'": "exit 2",
    "a row with extra fields": "exit 2",
    "a CSV without 'label'": "exit 2",
    "a CSV without --features": "exit 2",
    "--features of a file that is not there": "exit 2",
    "--config of a file that is not there": "exit 2",
    "--config with !!python/object/apply": "exit 2",
    "--features with !!python/object/apply": "exit 2",
    "--config with a syntax error": "exit 2",
    "tfrank export of such a model": "exit 2",
    "tfrank evaluate of an empty directory": "exit 2",
    "--model nope": "exit 2",
    "--data criteo": "exit 2",
    "gmf with --strategy mirrored": "exit 2",
    "--learning-rate 1e30": "exit 1",
    "the same command with --seed 1": "exit 2",
    "part-2.tsv line 150 with 41 fields": "error",
    "part-2.tsv line 20 with 3 fields": "error",
    "part-2.tsv line 21 blank": "error",
    "I5 = '12x' at part-0.tsv line 222": "error",
    "ad_id empty at part-0.csv line 3": "error",
    "ad_id = 1000 at part-0.csv line 4 (num_ids=1000)": "error",
    "prepare with skip_bad_rows=True, part-2.tsv line 20 with 3 fields": (
        "749 of 750 rows prepared; the manifest counts 1 bad row and names the first"
    ),
    "a 0-byte part-3.tsv": "error",
    "part-1.csv without 'n2'": "error",
    "part-1.tsv.gz with other columns": "error",
    "part-1.tsv.gz cut in half": "error",
    "1 train shard, worker 1 of 2": "error",
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bad_inputs")
    return str(workdir), bad_input_cases(str(workdir))


def test_every_case_is_expected(cases):
    assert sorted(c["input"] for c in cases[1]) == sorted(EXPECTED)


def test_every_row_of_the_page_has_a_case(cases):
    rows = doc_rows()
    assert len(rows) > 40
    shown = {c["row"] for c in cases[1]}
    assert sorted(set(rows) - shown) == [], "rows of the page no case shows"
    assert sorted(shown - set(rows)) == [], "cases of rows the page does not have"


@pytest.mark.parametrize("given", sorted(EXPECTED))
def test_bad_input_gets_what_the_page_says(cases, given):
    (case,) = [c for c in cases[1] if c["input"] == given]
    expected, spans = EXPECTED[given], doc_rows()[case["row"]]
    if expected.startswith("exit "):
        # The user's whole stderr: one line, the error, no traceback or log lines.
        stderr, prefix = case["stderr"], f"tfrank {case['command'][0]}: error: "
        assert case["exit_code"] == int(expected.split()[1]), stderr
        assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr
        assert stderr.startswith(prefix) and stderr.endswith("\n"), stderr
        message = stderr[len(prefix) : -1]
        assert documented(message, spans, typed=False), (message, spans)
    elif expected in ("error", "warning"):
        assert case["outcome"] == expected, case["message"]
        assert "\n" not in case["message"] and "Traceback" not in case["message"]
        assert documented(case["message"], spans, typed=True), (case["message"], spans)
    elif expected == "scores":
        assert case["outcome"] == "scores" and case["message"].startswith("scores ["), case
    else:
        assert case["outcome"] == "scores", case["message"]
        assert case["message"] == expected


def test_the_errors_the_command_line_adds_a_flag_to_are_value_errors():
    from tfrank.errors import (
        BadRow,
        CheckpointMismatch,
        MissingFeatureSpec,
        NeedsPreparedData,
        StrategyNotSupported,
        TrainingDiverged,
    )

    for kind in (MissingFeatureSpec, StrategyNotSupported, CheckpointMismatch, NeedsPreparedData,
                 BadRow):  # fmt: skip
        assert issubclass(kind, ValueError), kind
    assert issubclass(TrainingDiverged, RuntimeError)
    assert not issubclass(TrainingDiverged, ValueError)


def test_yaml_tags_never_run_code(cases):
    assert not os.path.exists(os.path.join(cases[0], "PWNED"))


def test_a_command_in_its_own_process_says_what_it_says_here(cases):
    """The catalogue runs commands in the test process; `python -m tfrank`
    on its own writes the same stderr, with the same exit code."""
    (case,) = [c for c in cases[1] if c["input"] == "--features of a file that is not there"]
    assert run_process(case["command"]) == (case["exit_code"], case["stderr"])
