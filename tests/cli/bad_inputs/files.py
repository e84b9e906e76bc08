"""Bad Criteo files given to `load_criteo`, and bad files prepared for
streaming."""

from __future__ import annotations

import gzip
import os

import pandas as pd

from tests.cli.bad_inputs.harness import Cases


def file_cases(workdir, frame, spec):
    from tfrank.data.criteo import load_criteo

    criteo = [["1", "5", *[""] * 12, *["68fd1e64"] * 26]] * 3
    short = [*criteo[:1], ["0", "7", "2"], *criteo[1:]]
    long = [*criteo[:2], [*criteo[0], "extra"]]
    cases = Cases()
    cases.attempt(
        "Criteo rows with fewer than 40 fields",
        "short Criteo rows",
        "line 2 with 3 fields",
        lambda: load_criteo(_tsv(workdir, "short", short)),
    )
    cases.attempt(
        "Criteo rows with more than 40 fields",
        "long Criteo rows",
        "line 3 with 41 fields",
        lambda: load_criteo(_tsv(workdir, "long", long)),
    )
    return cases


def _tsv(workdir, name, rows):
    folder = os.path.join(workdir, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "train.txt")
    with open(path, "w") as f:
        f.write("".join("\t".join(row) + "\n" for row in rows))
    return path


def streamed_cases(workdir):
    """Files prepared for streaming (what `tfrank prepare` and streamed
    training do), each case on fresh copies of small shards."""
    from tests.helpers.data import criteo_lines, write_criteo_shards
    from tfrank.data import SyntheticCTR
    from tfrank.data.streaming import PreparedData, prepare_files
    from tfrank.features import CategoricalFeature, FeatureSpec

    cases = Cases()
    count = iter(range(1000))

    def shards(edit=None):
        folder = os.path.join(workdir, f"stream-{next(count)}")
        paths = write_criteo_shards(os.path.join(folder, "logs"))
        if edit:
            edit(paths)
        return folder

    def prepare(folder, kind="criteo", **kwargs):
        return prepare_files(f"{kind}:{folder}/logs", f"{folder}/prepared", verbose=0, **kwargs)

    def line(number, text, shard=2):
        def edit(paths):
            with open(paths[shard]) as f:
                lines = f.read().split("\n")
            lines[number - 1] = text
            with open(paths[shard], "w") as f:
                f.write("\n".join(lines))

        return edit

    def criteo(edit):
        return lambda: prepare(shards(edit))

    row = "a row with too many or too few fields, or a blank line"
    fields = criteo_lines(1, seed=9)[0]
    cases.attempt(
        row, "bad row", "part-2.tsv line 150 with 41 fields", criteo(line(150, fields + "\textra"))
    )
    cases.attempt(row, "bad row", "part-2.tsv line 20 with 3 fields", criteo(line(20, "1\t2\t3")))
    cases.attempt(row, "bad row", "part-2.tsv line 21 blank", criteo(line(21, "")))

    row = "a value that is not a number, a missing int64 id, an id outside `num_ids`"
    bad_count = fields.split("\t")
    bad_count[5] = "12x"  # I5
    cases.attempt(
        row,
        "bad value",
        "I5 = '12x' at part-0.tsv line 222",
        criteo(line(222, "\t".join(bad_count), shard=0)),
    )
    ids = FeatureSpec([CategoricalFeature("ad_id", dtype="int64", num_ids=1000)])
    id_spec = os.path.join(workdir, "stream_ids.json")
    ids.save(id_spec)

    def id_table(values):
        folder = os.path.join(workdir, f"stream-{next(count)}")
        os.makedirs(os.path.join(folder, "logs"))
        pd.DataFrame({"ad_id": values, "label": [0, 1, 0]}).to_csv(
            os.path.join(folder, "logs", "part-0.csv"), index=False
        )
        return lambda: prepare(folder, "csv", features=id_spec)

    cases.attempt(row, "bad value", "ad_id empty at part-0.csv line 3", id_table([1, None, 2]))
    cases.attempt(
        row, "bad value", "ad_id = 1000 at part-0.csv line 4 (num_ids=1000)", id_table([1, 2, 1000])
    )

    skipped = shards(line(20, "1\t2\t3"))

    def skip():
        prepared = prepare(skipped, skip_bad_rows=True)
        rows = prepared.rows("train") + prepared.rows("validation")
        count, first = prepared.manifest["bad_rows"], prepared.manifest["first_bad_row"] or ""
        if (rows, count) == (749, 1) and "part-2.tsv: 3 fields, expected 40" in first:
            return "749 of 750 rows prepared; the manifest counts 1 bad row and names the first"
        return f"{rows} rows prepared; manifest: {count} bad rows, the first {first!r}"

    cases.attempt(
        "the same with `--skip-bad-rows`",
        "skip bad rows",
        "prepare with skip_bad_rows=True, part-2.tsv line 20 with 3 fields",
        skip,
        lambda got: got,
    )

    def empty(paths):
        open(os.path.join(os.path.dirname(paths[0]), "part-3.tsv"), "w").close()

    cases.attempt("an empty shard", "empty shard", "a 0-byte part-3.tsv", criteo(empty))

    row = "a shard without a needed column"
    table = os.path.join(workdir, "stream-table")
    os.makedirs(os.path.join(table, "logs"))
    generator = SyntheticCTR(seed=0)
    for k in range(2):
        rows = generator.sample(200, seed=k)
        rows.drop(columns=["n2"] if k else []).to_csv(f"{table}/logs/part-{k}.csv", index=False)
    table_spec = os.path.join(workdir, "stream_table.json")
    generator.feature_spec().save(table_spec)
    cases.attempt(
        row,
        "missing column",
        "part-1.csv without 'n2'",
        lambda: prepare(table, "csv", features=table_spec),
    )

    def other_columns(paths):
        with gzip.open(paths[1], "wt") as f:
            f.write("label,I1,C1\n1,2,a\n")

    cases.attempt(row, "missing column", "part-1.tsv.gz with other columns", criteo(other_columns))

    def truncate(paths):
        with open(paths[1], "rb") as f:
            data = f.read()
        with open(paths[1], "wb") as f:
            f.write(data[: len(data) // 2])

    cases.attempt(
        "a truncated or corrupt gzip", "corrupt gzip", "part-1.tsv.gz cut in half", criteo(truncate)
    )

    def workers():
        folder = shards()
        prepare(folder)
        return PreparedData(f"{folder}/prepared").worker_files("train", 1, 2)

    cases.attempt(
        "a multi-worker run on prepared data with fewer shards than workers",
        "too few shards",
        "1 train shard, worker 1 of 2",
        workers,
    )
    return cases
