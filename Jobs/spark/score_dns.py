"""Score DNS logs on a Spark cluster with a model trained by runme.

Each partition of the input is piped through `runme score --stdin` on the executor that
holds it, so the executors compute exactly the features and trees that runme trained; the
JSON lines it prints become a DataFrame with a fixed schema, written as Parquet.

Submit it with `runme spark-submit` (which exports the model bundle and ships the binary),
or by hand:

    spark-submit --master local[2] \
        --files /path/to/runme --archives /path/to/model.tar.gz#model \
        Jobs/spark/score_dns.py --input logs/ --output scored/ --format cof

The input is any path Spark's text reader takes (local, s3a://, hdfs://, globs, .gz).
"""

import argparse
import io
import os
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
from pyspark import SparkFiles, TaskContext
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

# What `runme score --stdin` prints per record (see `runme score --help`), as Arrow, to parse.
# A record that cannot be parsed or scored carries `error` and `raw`, and nulls elsewhere.
STDIN_SCHEMA = pa.schema([
    ("line", pa.int64()),
    ("name", pa.string()),
    ("rrtype", pa.string()),
    ("time_first", pa.int64()),
    ("time_last", pa.int64()),
    ("domain", pa.string()),
    ("registered_domain", pa.string()),
    ("class", pa.string()),
    ("score", pa.float64()),
    ("top_features", pa.list_(pa.struct([("feature", pa.string()), ("contribution", pa.float64())]))),
    ("error", pa.string()),
    ("raw", pa.string()),
])

# The Parquet columns: dns_log_analytics' names for what scoring gives (the raw name as
# `domain`, tldextract's registered domain as `domain_tldextract`), plus where each row came
# from and, for a bad record, why it was not scored.
SCHEMA = T.StructType([
    T.StructField("domain", T.StringType()),
    T.StructField("domain_tldextract", T.StringType()),
    T.StructField("domain_label", T.StringType()),
    T.StructField("class", T.StringType()),
    T.StructField("score", T.DoubleType()),
    T.StructField("rrtype", T.StringType()),
    T.StructField("time_first", T.LongType()),
    T.StructField("time_last", T.LongType()),
    T.StructField("top_features", T.ArrayType(T.StructType([
        T.StructField("feature", T.StringType()),
        T.StructField("contribution", T.DoubleType()),
    ]))),
    T.StructField("partition", T.IntegerType()),
    T.StructField("line", T.LongType()),
    T.StructField("error", T.StringType()),
    T.StructField("raw", T.StringType()),
])
RENAMES = {"name": "domain", "registered_domain": "domain_tldextract", "domain": "domain_label"}

# Lines handed to pyarrow's JSON reader at once: large enough that parsing runs at C speed,
# small enough that a partition's output never sits in memory whole.
CHUNK_BYTES = 8 << 20


def locate(path):
    """A file shipped with --files/--archives is in the executor's working directory or
    under SparkFiles' root; an absolute path (one machine) is used as it is."""
    if os.path.isabs(path) and os.path.exists(path):
        return path
    for candidate in (path, SparkFiles.get(os.path.basename(path))):
        if os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise FileNotFoundError(f"{path}: not shipped to this executor; pass it with --files or --archives")


def executable(path):
    """A binary shipped with --files may arrive without its execute bit."""
    found = locate(path)
    if not os.access(found, os.X_OK):
        os.chmod(found, os.stat(found).st_mode | 0o111)
    return found


def newline_terminated(values):
    """A batch's lines as one buffer, each ending in a newline, built in Arrow's C++ code:
    turning every line into a Python string first cost more than the rest of the feed."""
    if values.null_count:
        values = values.drop_null()
    if len(values) == 0:
        return b""
    lines = pc.binary_join_element_wise(values, pa.scalar("", values.type), pa.scalar("\n", values.type))
    offsets = memoryview(lines.buffers()[1]).cast("q" if pa.types.is_large_string(lines.type) else "i")
    return memoryview(lines.buffers()[2])[offsets[lines.offset]:offsets[lines.offset + len(lines)]]


def scorer(runme, model_dir, fmt, top_features):
    def score_partition(batches):
        partition = TaskContext.get().partitionId()
        binary = executable(runme)
        model = locate(model_dir)
        process = subprocess.Popen(
            [binary, "score", "--stdin", "--model-dir", model, "--format", fmt, "--top-features", top_features],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "OMP_WAIT_POLICY": "passive"},
        )
        failure = []

        def feed():
            # A writer thread: runme batches internally, so writing everything before reading
            # would deadlock once both pipes fill.
            try:
                for batch in batches:
                    process.stdin.write(newline_terminated(batch.column(0)))
            except BrokenPipeError:
                pass
            except BaseException as error:  # surfaced to the task below
                failure.append(error)
            finally:
                try:
                    process.stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        pending = b""
        while True:
            block = process.stdout.read(CHUNK_BYTES)
            if not block:
                break
            pending += block
            cut = pending.rfind(b"\n") + 1
            if cut == 0:
                continue
            yield from parse(pending[:cut], partition)
            pending = pending[cut:]
        if pending.strip():
            yield from parse(pending, partition)
        writer.join()
        status = process.wait()
        stderr = process.stderr.read().decode(errors="replace")
        if failure:
            raise failure[0]
        if status != 0:
            raise RuntimeError(f"runme score --stdin exited with {status}: {stderr.strip()}")

    return score_partition


OUTPUT_SCHEMA = pa.schema([
    (field.name, {
        T.StringType(): pa.string(), T.DoubleType(): pa.float64(), T.LongType(): pa.int64(), T.IntegerType(): pa.int32(),
    }.get(field.dataType, STDIN_SCHEMA.field("top_features").type)) for field in SCHEMA.fields
])


def parse(lines, partition):
    """runme's JSON lines to Arrow batches of SCHEMA, at C speed (pyarrow's JSON reader)."""
    table = pajson.read_json(
        io.BytesIO(lines),
        read_options=pajson.ReadOptions(block_size=max(len(lines) + 1, 1 << 20)),
        parse_options=pajson.ParseOptions(explicit_schema=STDIN_SCHEMA, unexpected_field_behavior="ignore"),
    )
    columns = {RENAMES.get(name, name): table.column(name) for name in table.column_names}
    columns["partition"] = pa.array([partition] * table.num_rows, type=pa.int32())
    out = pa.table([columns[field.name] for field in OUTPUT_SCHEMA], schema=OUTPUT_SCHEMA)
    yield from out.to_batches()


def main(argv):
    parser = argparse.ArgumentParser(description="Score DNS logs with a runme model on Spark.")
    parser.add_argument("--input", required=True, help="log files: any path Spark's text reader takes")
    parser.add_argument("--output", required=True, help="where the Parquet dataset is written")
    parser.add_argument("--format", default="cof", choices=["cof", "csv", "names", "suricata"],
                        help="the input's format (Zeek needs its header, so score Zeek logs on one machine)")
    parser.add_argument("--runme", default="runme", help="the runme binary (shipped with --files)")
    parser.add_argument("--model-dir", default="model", help="the exported model bundle (shipped with --archives)")
    parser.add_argument("--top-features", default="approx", choices=["approx", "shap"],
                        help="how the three strongest features are found: path attributions (fast) or exact SHAP")
    parser.add_argument("--partitions", type=int, default=0, help="repartition the input first (0: keep)")
    parser.add_argument("--mode", default="overwrite", choices=["overwrite", "append", "error"])
    args = parser.parse_args(argv)

    spark = SparkSession.builder.appName("runme-score-dns").getOrCreate()
    started = time.monotonic()
    lines = spark.read.text(args.input)
    if args.partitions > 0:
        lines = lines.repartition(args.partitions)
    scored = (
        lines.mapInArrow(scorer(args.runme, args.model_dir, args.format, args.top_features), SCHEMA)
        # dns_log_analytics' processing time and the record's own time.
        .withColumn("timestamp", F.current_timestamp())
        .withColumn("event_time", F.timestamp_seconds(F.col("time_last")))
    )
    scored.write.mode(args.mode).parquet(args.output)
    # Read, score and write, without the JVM's start: what scripts/bench-spark divides by.
    print(f"runme-score-dns: scored {args.input} into {args.output} in {time.monotonic() - started:.2f} s", file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
