"""Bad rows and bad shards: errors that name the file and line, before anything is written."""

import gzip
import os

import pandas as pd
import pytest

from tests.helpers.data import criteo_lines, write_criteo_shards
from tfrank.data import SyntheticCTR
from tfrank.data.criteo import CRITEO_FORMAT, criteo_feature_spec
from tfrank.data.streaming import DelimitedFormat, StreamSource, prepare_data


def run(tmp_path, shards, fmt=CRITEO_FORMAT, spec=None, **kwargs):
    out = str(tmp_path / "prepared")
    data = prepare_data(StreamSource(fmt, shards), spec or criteo_feature_spec(4), "label", out,
                        verbose=0, chunk_bytes=8_000, **kwargs)  # fmt: skip
    return data, out


def rewrite(path, line_number, new_text):
    with open(path) as f:
        lines = f.read().split("\n")
    lines[line_number - 1] = new_text
    with open(path, "w") as f:
        f.write("\n".join(lines))


def test_a_row_with_extra_fields_is_an_error_naming_file_and_line(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    rewrite(shards[2], 150, criteo_lines(1, seed=9)[0] + "\textra")
    with pytest.raises(ValueError, match=r"part-2\.tsv, line 150: 41 fields, expected 40"):
        run(tmp_path, shards)
    assert not os.path.exists(tmp_path / "prepared")


def test_a_value_that_is_not_a_number_names_file_line_and_column(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    fields = criteo_lines(1, seed=9)[0].split("\t")
    fields[5] = "12x"  # I5
    rewrite(shards[0], 222, "\t".join(fields))
    with pytest.raises(ValueError, match=r"part-0\.tsv, line 222: feature 'I5' '12x' is not a"):
        run(tmp_path, shards)
    assert not any(p.startswith("prepared") for p in os.listdir(tmp_path))


def test_skip_bad_rows_skips_and_counts_them(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    fields = criteo_lines(1, seed=9)[0].split("\t")
    fields[3] = "n/a"
    rewrite(shards[0], 10, "\t".join(fields))
    rewrite(shards[2], 20, "1\t2\t3")
    rewrite(shards[2], 21, "")
    data, _ = run(tmp_path, shards, skip_bad_rows=True)
    assert data.manifest["bad_rows"] == 3
    assert data.rows("train") + data.rows("validation") == 300 + 250 + 200 - 3


def test_bad_shards_are_errors_naming_the_shard(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    open(tmp_path / "logs" / "part-3.tsv", "w").close()
    with pytest.raises(ValueError, match=r"part-3\.tsv: empty shard"):
        run(tmp_path, [*shards, str(tmp_path / "logs" / "part-3.tsv")])

    with open(shards[1], "rb") as f:  # the gzipped shard, cut short
        data = f.read()
    with open(shards[1], "wb") as f:
        f.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"part-1\.tsv\.gz: unreadable.*truncated or corrupt"):
        run(tmp_path, shards)

    with gzip.open(shards[1], "wt") as f:
        f.write("label,I1,C1\n1,2,a\n")  # a Criteo CSV with other columns
    with pytest.raises(ValueError, match=r"part-1\.tsv\.gz: not criteo data, columns \['I2'"):
        run(tmp_path, shards)


def test_a_table_shard_without_a_feature_column_is_named(tmp_path):
    generator = SyntheticCTR(seed=0)
    for k in range(2):
        frame = generator.sample(200, seed=k)
        if k == 1:
            frame = frame.drop(columns=["n2"])
        frame.to_csv(tmp_path / f"part-{k}.csv", index=False)
    shards = [str(tmp_path / f"part-{k}.csv") for k in range(2)]
    with pytest.raises(ValueError, match=r"part-1\.csv: no column for \['n2'\]"):
        run(tmp_path, shards, DelimitedFormat("csv"), generator.feature_spec())
    assert pd.read_csv(shards[0]).shape[0] == 200


def test_lines_stay_exact_when_read_blocks_are_joined_into_chunks(tmp_path, monkeypatch):
    from tfrank.data.streaming import delimited_format

    monkeypatch.setattr(delimited_format, "READ_BLOCK_BYTES", 2_000)  # ~4 blocks a chunk
    shards = write_criteo_shards(str(tmp_path / "logs"))
    fields = criteo_lines(1, seed=9)[0].split("\t")
    fields[2] = "seven"  # I2
    rewrite(shards[2], 187, "\t".join(fields))
    with pytest.raises(ValueError, match=r"part-2\.tsv, line 187: feature 'I2' 'seven' is not"):
        run(tmp_path, shards)
