"""Cases 3 and 4: upload and download of one large object (256 MiB; 64 MiB with --quick)."""

from __future__ import annotations

import os
import shutil

from harness import Contender, Ctx, Section, Verdict, mib, run_case

BUCKET = "bench-transfer"
PART = 5 * 2**20
UP_TARGET = "≥ 1.0× boto3 upload_fileobj throughput; parts concurrent, 5 MiB parts; peak memory bounded"
DOWN_TARGET = "≥ 0.9× boto3 download_fileobj throughput"


def _source(ctx: Ctx, size: int):
    path = ctx.scratch / f"src-{size}.bin"
    if not path.exists() or path.stat().st_size != size:
        block = os.urandom(2**20)
        with open(path, "wb") as f:
            for i in range(size // 2**20):
                f.write(block[i % 7:] + block[: i % 7])  # distinct MiBs, cheap to make
    return path


def _size(ctx: Ctx) -> int:
    return (64 if ctx.quick else 256) * 2**20


def _dumont_write(ctx: Ctx, src, key: str) -> None:
    fs = ctx.dumont_fs()
    with open(src, "rb") as f, fs.open(f"{BUCKET}/{key}", "wb") as out:
        shutil.copyfileobj(f, out, 2**20)


def _dumont_read(ctx: Ctx, key: str, dst) -> None:
    fs = ctx.dumont_fs()
    with fs.open(f"{BUCKET}/{key}", "rb") as f, open(dst, "wb") as out:
        shutil.copyfileobj(f, out, 8 * 2**20)


def _delete(ctx: Ctx, key: str):
    return lambda: ctx.boto3.delete_object(Bucket=BUCKET, Key=key)


def upload(ctx: Ctx) -> Section:
    import obstore

    size = _size(ctx)
    src = _source(ctx, size)
    ctx.make_bucket(BUCKET)
    title = ctx.at(f"Upload {mib(size)} from a local file")
    ctx.log(title)
    contenders = []
    if ctx.available("dumont_nb vfs", ctx.dumont_fs) is None:
        contenders.append(Contender("dumont_nb open()", lambda: _dumont_write(ctx, src, "up/dumont"), teardown=_delete(ctx, "up/dumont"),
                                    note="fs.open(path, 'wb') + shutil.copyfileobj (1 MiB writes)"))
        try:
            import dumont_nb.transfers  # noqa: F401

            contenders.append(Contender("dumont_nb", lambda: dumont_nb.copy(str(src), f"bench://{BUCKET}/up/copy",
                                                                                 config=ctx.dumont_config),
                                        teardown=_delete(ctx, "up/copy"), note="dumont_nb.copy(local, url)"))
        except Exception as e:
            ctx.log(f"  dumont_nb.copy not available: {e}")

    def boto3_up():
        with open(src, "rb") as f:
            ctx.boto3.upload_fileobj(f, BUCKET, "up/boto3")

    def boto3_up_5mib():
        from boto3.s3.transfer import TransferConfig

        with open(src, "rb") as f:
            ctx.boto3.upload_fileobj(f, BUCKET, "up/boto3-5", Config=TransferConfig(multipart_chunksize=PART))

    contenders += [
        Contender("boto3", boto3_up, teardown=_delete(ctx, "up/boto3"), note="upload_fileobj (TransferManager: 8 MiB parts, 10 threads)"),
        Contender("boto3 5 MiB parts", boto3_up_5mib, teardown=_delete(ctx, "up/boto3-5"),
                  note="baseline: TransferManager with dumont's part size (10 threads)"),
        Contender("s3fs", lambda: ctx.s3fs.put_file(str(src), f"{BUCKET}/up/s3fs"), teardown=_delete(ctx, "up/s3fs"),
                  note="put_file (50 MiB parts)"),
        Contender("obstore", lambda: obstore.put(ctx.obstore(BUCKET), "up/obstore", src) and None, teardown=_delete(ctx, "up/obstore"),
                  note="put(Path): 5 MiB parts, 12 in flight"),
    ]
    results = run_case(ctx.server, "upload", contenders, repeat=2 if ctx.quick else 5, memory=True, log=ctx.log)
    sec = Section("upload", title, UP_TARGET, results, dumont=("dumont_nb", "dumont_nb open()"))
    small = size // 4
    if not ctx.quick:  # does peak memory grow with the object size? one memory run at a quarter
        src_small = _source(ctx, small)
        again = [Contender(c.name, (lambda n=c.name: dumont_nb.copy(str(src_small), f"bench://{BUCKET}/up/small",
                                                                    config=ctx.dumont_config)) if c.name == "dumont_nb"
                           else (lambda: _dumont_write(ctx, src_small, "up/small")))
                 for c in contenders if c.name.startswith("dumont_nb")]
        for r in run_case(ctx.server, "upload-small", again, repeat=0, memory=True, log=ctx.log):
            sec.notes.append(f"{r.contender}: peak Python memory {mib(r.peak_py or 0)} for a {mib(small)} object "
                             f"vs {mib((sec.get(r.contender).peak_py or 0))} for {mib(size)}")
            big = sec.get(r.contender).peak_py
            if big and r.peak_py:
                # in-flight parts make the peak vary by a few parts between runs; growing with the
                # object would add (size - small) = 192 MiB here
                sec.verdicts.append(Verdict(big - r.peak_py < 0.25 * (size - small),
                                            f"{r.contender}: peak memory {mib(r.peak_py)} at {mib(small)} → {mib(big)} "
                                            f"at {mib(size)} (must not grow with object size; proportional growth "
                                            f"would add {mib(size - small)})"))
    for r in results:
        if r.median:
            r.facts["MiB_per_s"] = round(size / 2**20 / r.median, 1)
        parts = r.requests.get("UploadPart", {})
        if parts.get("count"):
            r.facts["parts"] = parts["count"]
            r.facts["mean_part"] = mib(parts["bytes_received"] / parts["count"])
    b = sec.get("boto3")
    for name in ("dumont_nb", "dumont_nb open()"):
        d = sec.get(name)
        if d is None or d.median is None or b is None or not b.median:
            continue
        ratio = b.median / d.median
        sec.verdicts.append(Verdict(ratio >= 1.0, f"{name}: throughput {ratio:.2f}× boto3 (target ≥ 1.0×)"))
        parts = d.requests.get("UploadPart", {}).get("count", 0)
        want = -(-size // PART)
        sec.verdicts.append(Verdict(parts == want, f"{name}: {parts} UploadPart requests (5 MiB parts → {want})"))
        if d.peak_py is not None:
            sec.verdicts.append(Verdict(None, f"{name}: peak Python memory {mib(d.peak_py)} for a {mib(size)} object "
                                              f"(RSS high-water +{mib(d.peak_rss or 0)}); reported, judged by growth"))
    return sec


def download(ctx: Ctx) -> Section:
    import obstore

    size = _size(ctx)
    src = _source(ctx, size)
    ctx.make_bucket(BUCKET)
    with open(src, "rb") as f:
        ctx.boto3.upload_fileobj(f, BUCKET, "down/object")
    title = f"Download {mib(size)} to a local file"
    ctx.log(title)
    dst = ctx.scratch / "download.bin"
    rm = lambda: dst.unlink(missing_ok=True)  # noqa: E731
    contenders = []
    if ctx.available("dumont_nb vfs", ctx.dumont_fs) is None:
        contenders.append(Contender("dumont_nb open()", lambda: _dumont_read(ctx, "down/object", dst), teardown=rm,
                                    note="fs.open(path, 'rb') + shutil.copyfileobj (8 MiB reads)"))
        try:
            import dumont_nb.transfers  # noqa: F401

            contenders.append(Contender("dumont_nb", lambda: dumont_nb.copy(f"bench://{BUCKET}/down/object", str(dst),
                                                                                 config=ctx.dumont_config),
                                        teardown=rm, note="dumont_nb.copy(url, local)"))
        except Exception as e:
            ctx.log(f"  dumont_nb.copy not available: {e}")

    def boto3_down():
        with open(dst, "wb") as f:
            ctx.boto3.download_fileobj(BUCKET, "down/object", f)

    def obstore_down():
        resp = obstore.get(ctx.obstore(BUCKET), "down/object")
        with open(dst, "wb") as f:
            for chunk in resp.stream(min_chunk_size=8 * 2**20):
                f.write(chunk)

    contenders += [
        Contender("boto3", boto3_down, teardown=rm, note="download_fileobj (TransferManager: 8 MiB ranges, 10 threads)"),
        Contender("s3fs", lambda: ctx.s3fs.get_file(f"{BUCKET}/down/object", str(dst)), teardown=rm, note="get_file"),
        Contender("obstore", obstore_down, teardown=rm, note="get().stream(8 MiB chunks)"),
    ]
    results = run_case(ctx.server, "download", contenders, repeat=1 if ctx.quick else 3, memory=True, log=ctx.log)
    sec = Section("download", title, DOWN_TARGET, results, dumont=("dumont_nb", "dumont_nb open()"))
    for r in results:
        if r.median:
            r.facts["MiB_per_s"] = round(size / 2**20 / r.median, 1)
        gets = r.requests.get("GetObject", {})
        if gets.get("count"):
            r.facts["gets"] = gets["count"]
            r.facts["bytes_fetched"] = mib(gets["bytes_sent"])
    b = sec.get("boto3")
    for name in ("dumont_nb", "dumont_nb open()"):
        d = sec.get(name)
        if d is None or d.median is None or b is None or not b.median:
            continue
        ratio = b.median / d.median
        sec.verdicts.append(Verdict(ratio >= 0.9, f"{name}: throughput {ratio:.2f}× boto3 (target ≥ 0.9×)"))
    return sec


def run(ctx: Ctx) -> list[Section]:
    return [upload(ctx), download(ctx)]
