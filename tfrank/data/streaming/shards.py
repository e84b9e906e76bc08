"""Shard lists: a file, a directory or a glob of data files."""

from __future__ import annotations

import glob
import os

# Files a directory of shards is read for (anything else in it is ignored).
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".gz", ".csv.gz", ".tsv.gz", ".txt.gz")


def list_shards(location: str) -> list[str]:
    """The data files `location` names, sorted: the file itself, the data
    files of a directory (by suffix: .csv, .tsv, .txt, .parquet, and those
    gzipped), or the files a glob pattern matches.

    Example:

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("part-1.tsv", "part-0.tsv.gz", "notes.md"):
    ...     open(os.path.join(folder, name), "w").close()
    >>> [os.path.basename(p) for p in list_shards(folder)]
    ['part-0.tsv.gz', 'part-1.tsv']
    >>> [os.path.basename(p) for p in list_shards(os.path.join(folder, "part-*"))]
    ['part-0.tsv.gz', 'part-1.tsv']
    """
    if os.path.isfile(location):
        return [location]
    if os.path.isdir(location):
        shards = [
            os.path.join(location, name)
            for name in os.listdir(location)
            if name.endswith(DATA_SUFFIXES) and os.path.isfile(os.path.join(location, name))
        ]
        if not shards:
            raise FileNotFoundError(
                f"{location!r} is a directory with no data files ({', '.join(DATA_SUFFIXES)})."
            )
        return sorted(shards)
    if glob.has_magic(location):
        shards = sorted(p for p in glob.glob(location) if os.path.isfile(p))
        if not shards:
            raise FileNotFoundError(f"No file matches {location!r}.")
        return shards
    raise FileNotFoundError(f"No data file at {location!r} (nor a directory or a glob of them).")


def total_bytes(shards: list[str]) -> int:
    return sum(os.path.getsize(p) for p in shards)
