"""DelimitedFormat: CSV / TSV shards (optionally gzip) read in bounded chunks."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pcsv

from tfrank.data.frames import first_line
from tfrank.data.streaming.chunk import BadRows, Chunk
from tfrank.errors import BadRow

# pyarrow's streaming reader reads about 40 blocks ahead: small blocks keep
# that to ~80 MB, and they are joined into chunks of `chunk_bytes` to work on.
READ_BLOCK_BYTES = 1 << 21


@dataclasses.dataclass(frozen=True)
class DelimitedFormat:
    """A kind of text file: its columns, delimiter and derived columns.

    Every column is read as text and typed later against the feature spec,
    so a bad value is reported with its file and line. A row with the
    wrong number of fields (or a blank line) is an error naming the file,
    the line and the count, unless `skip_bad_rows` (then it is counted).

    Args:
        name: the data kind (`"criteo"`, `"csv"`, ...), for messages.
        delimiter: field separator of headerless files and of files whose
            header does not start with `header_prefix`; `None`: a tab for
            `.tsv` files (gzipped or not), else a comma.
        column_names: names of a headerless file's columns; `None` means
            the first line is a header.
        header_prefix: with `column_names`, a first line starting with this
            is a header instead (Criteo's CSV variant), delimited by
            `header_delimiter`.
        header_delimiter: delimiter of files with a header.
        required: columns a shard must have.
        derive: `derive(table, chunk) -> table` adding columns computed from
            others (Avazu's hour of day), after reading.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "part.tsv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("1\\ta\\n0\\tb\\n")
    >>> fmt = DelimitedFormat("pairs", delimiter="\\t", column_names=("label", "site"))
    >>> [(c.table.to_pydict(), c.first_line) for c in fmt.read_chunks(path)]
    [({'label': ['1', '0'], 'site': ['a', 'b']}, 1)]
    """

    name: str
    delimiter: str | None = None
    column_names: tuple | None = None
    header_prefix: str | None = None
    header_delimiter: str = ","
    required: tuple = ()
    derive: Callable | None = None

    def _layout(self, path, first):
        """(column names, delimiter, header lines) of one shard."""
        delimiter = self.delimiter
        if delimiter is None:
            delimiter = "\t" if path.removesuffix(".gz").endswith(".tsv") else ","
        header = self.column_names is None or (
            self.header_prefix is not None and first.startswith(self.header_prefix)
        )
        if not header:
            return list(self.column_names), delimiter, 0
        if self.column_names is not None:
            delimiter = self.header_delimiter
        names = first.rstrip("\r\n").split(delimiter)
        return [n.strip().strip('"') for n in names], delimiter, 1

    def columns(self, path: str) -> list[str]:
        """The columns of shard `path` (derived ones not included)."""
        return self._layout(path, first_line(path))[0]

    def read_chunks(self, path: str, chunk_bytes: int = 1 << 24, bad_rows: BadRows | None = None):
        """Yields the `Chunk`s of shard `path`, about `chunk_bytes` of text each."""
        bad_rows = bad_rows or BadRows()
        first = first_line(path)
        if not first.strip():
            raise ValueError(f"{path}: empty shard (no rows).")
        names, delimiter, header_lines = self._layout(path, first)
        missing = [c for c in self.required if c not in names]
        if missing:
            raise ValueError(
                f"{path}: not {self.name} data, columns {missing} are absent; columns: {names}"
            )
        invalid = []

        def on_invalid(row):
            invalid.append(row)
            return "skip"

        raw = pa.OSFile(path)
        stream = pa.CompressedInputStream(raw, "gzip") if path.endswith(".gz") else raw
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(
                    column_names=names,
                    skip_rows=header_lines,
                    block_size=min(chunk_bytes, READ_BLOCK_BYTES),
                ),  # fmt: skip
                parse_options=pcsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char='"' if delimiter == "," else False,
                    ignore_empty_lines=False,
                    invalid_row_handler=on_invalid,
                ),  # fmt: skip
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, OSError) as error:
            raise ValueError(
                f"{path}: unreadable ({error}); a truncated or corrupt file?"
            ) from None
        line = header_lines + 1
        rows = 0
        pending, pending_bytes, start = [], 0, line
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError) as error:
                raise ValueError(
                    f"{path}: unreadable after line {line - 1} ({error}); a truncated or "
                    "corrupt file?"
                ) from None
            if invalid and not bad_rows.skip:
                raise BadRow(_describe_invalid(path, delimiter, len(names), header_lines))
            if invalid:
                bad_rows.add(len(invalid), f"{path}: {invalid[0].actual_columns} fields, "
                             f"expected {len(names)}")  # fmt: skip
                # Rows after skipped ones are on later lines: start a new chunk.
                if pending:
                    yield self._chunk(pending, path, start, raw.tell())
                pending, pending_bytes = [], 0
            if not pending:
                start = line + len(invalid)
            line += batch.num_rows + len(invalid)
            rows += batch.num_rows
            invalid.clear()
            if batch.num_rows:
                pending.append(batch)
                pending_bytes += batch.nbytes
            if pending_bytes >= chunk_bytes:
                yield self._chunk(pending, path, start, raw.tell())
                pending, pending_bytes = [], 0
        if pending:
            yield self._chunk(pending, path, start, raw.tell())
        if rows == 0:
            raise ValueError(f"{path}: empty shard (no data rows).")

    def _chunk(self, batches, path, first, position) -> Chunk:
        chunk = Chunk(pa.Table.from_batches(batches), path, first, "line", position)
        if self.derive is not None:
            chunk.table = self.derive(chunk.table, chunk)
        return chunk


def _describe_invalid(path, delimiter, expected, header_lines) -> str:
    """Finds the first line with the wrong number of fields (a scan of the
    file: this runs only on the way to an error)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", errors="replace") as f:
        for number, text in enumerate(f, start=1):
            if number <= header_lines:
                continue
            text = text.rstrip("\r\n")
            fields = text.count(delimiter) + 1 if text else 0
            if fields != expected:
                shown = text if len(text) <= 80 else text[:77] + "..."
                what = "a blank line" if not text else f"{fields} fields"
                return f"{path}, line {number}: {what}, expected {expected} ({shown!r})"
    return f"{path}: a row has the wrong number of fields."
