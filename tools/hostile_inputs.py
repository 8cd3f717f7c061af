#!/usr/bin/env python3
"""Runs every hostile input of issue 13 against a convtutor binary and prints what each did.

    tools/hostile_inputs.py [BINARY]          default .build/release/convtutor
    tools/hostile_inputs.py BINARY -k jpeg    only cases whose name contains "jpeg"

For each case: the exit status (or the signal), the wall time, the peak resident memory (from wait4)
and the first line the program printed. A case is marked FAIL when the program crashed (killed by a
signal it did not ask for), ran past its time limit, used more than 1 GB, or a case's own check
failed (a device replaced, a file not saved, a wrong exit status). Exit status 1 when any failed.

Everything is made in a temporary folder; nothing outside it is touched (the device cases use a
character device made with mknod when run as root, else they are skipped).
"""
import gzip
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

MEMORY_LIMIT_KB = 1024 * 1024
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(os.path.dirname(ROOT), "shared", "data", "mnist")


def run(binary, args, stdin=b"", env=None, timeout=120, signals=()):
    """Runs binary with args; `signals` is a list of (seconds, signal) sent while it runs."""
    environment = dict(os.environ, **(env or {}))
    start = time.monotonic()
    process = subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment, start_new_session=True)
    process.stdin.write(stdin)
    process.stdin.close()
    pending = sorted(signals)
    timed_out = False
    # Read output on the side so a chatty child cannot block on a full pipe.
    import threading
    out, err = [], []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(process.stdout, out)),
               threading.Thread(target=lambda s, b: b.append(s.read()), args=(process.stderr, err))]
    for reader in readers:
        reader.start()
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        elapsed = time.monotonic() - start
        while pending and elapsed >= pending[0][0]:
            os.kill(process.pid, pending.pop(0)[1])
        if elapsed > timeout:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    for reader in readers:
        reader.join()
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    return {"code": code, "seconds": seconds, "peak_kb": usage.ru_maxrss, "timed_out": timed_out,
            "stdout": out[0].decode(errors="replace"), "stderr": err[0].decode(errors="replace")}


def idx(dims, data, type_code=0x08):
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + data


def safetensors(tensors, metadata=None):
    """tensors: name -> (shape, bytes of F32 data)."""
    header, offset, blob = {}, 0, b""
    for name, (shape, data) in tensors.items():
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blob += data
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blob


def shipped_model():
    with open(os.path.join(ROOT, "Sources/Networks/Resources/lenet5-mnist.safetensors"), "rb") as file:
        raw = file.read()
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + length])
    return header, raw[8 + length:]


def model_with(change_header=None, change_data=None):
    header, data = shipped_model()
    data = bytearray(data)
    if change_header:
        change_header(header)
    if change_data:
        change_data(header, data)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(data)


def fill_tensor(name, value):
    def change(header, data):
        start, end = header[name]["data_offsets"]
        data[start:end] = struct.pack("<f", value) * ((end - start) // 4)
    return change


def lesson(step_lines):
    return ('id = "hostile"\ntitle = "Hostile"\nsummary = "x"\norder = 99\n\n[[step]]\n' + step_lines).encode()


def cases(folder, binary):
    """Yields (name, args, options, check); check(result) returns None when fine, else why not."""
    def path(name):
        return os.path.join(folder, name)

    def write(name, data):
        with open(path(name), "wb") as file:
            file.write(data)
        return path(name)

    def lesson_folder(name, step_lines):
        os.makedirs(path(name), exist_ok=True)
        write(f"{name}/hostile.toml", lesson(step_lines))
        return ["lessons", "check", "--lessons", path(name), "--no-builtin"]

    quick = ["train", "--no-tui", "--epochs", "1", "--subset", "64", "--validation", "0", "--batch-size", "32"]
    is_root = os.geteuid() == 0

    # Writes
    if is_root:
        os.mknod(path("fake-null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.symlink(path("fake-null"), path("link-to-device"))
        still_device = lambda r: None if stat.S_ISCHR(os.stat(path("fake-null")).st_mode) else "the device was replaced"
        yield ("save over a device", quick + ["--save", path("fake-null")], {}, still_device)
        yield ("save through a link to a device", quick + ["--save", path("link-to-device")], {}, still_device)
    os.mkfifo(path("fifo-save"))
    yield ("save over a FIFO", quick + ["--save", path("fifo-save")], {},
           lambda r: None if stat.S_ISFIFO(os.lstat(path("fifo-save")).st_mode) else "the FIFO was replaced")
    write("real.safetensors", b"old")
    os.symlink("real.safetensors", path("link.safetensors"))
    yield ("save through a link to a file", quick + ["--save", path("link.safetensors")], {},
           lambda r: None if os.path.islink(path("link.safetensors")) and os.path.getsize(path("real.safetensors")) > 1000
           else "the link was replaced or its target not written")
    yield ("log to a device", quick + ["--log", "/dev/null"], {},
           lambda r: None if stat.S_ISCHR(os.stat("/dev/null").st_mode) else "/dev/null was replaced")

    # Value ranges
    os.makedirs(path("letters"), exist_ok=True)
    images = bytes(range(256)) * (100 * 784 // 256) + bytes(100 * 784 % 256)
    for split, count in (("train", 100), ("t10k", 100)):
        write(f"letters/{split}-images-idx3-ubyte", idx([count, 28, 28], images[:count * 784]))
        write(f"letters/{split}-labels-idx1-ubyte", idx([count], bytes(i % 26 for i in range(count))))
    yield ("IDX labels up to 25", ["train", "--no-tui", "--epochs", "1", "--data", path("letters")], {}, None)
    huge_shape = safetensors({"conv1.weight": ([2**62, 2**62, 4, 1], b"\0" * 16)})
    yield ("safetensors shape product overflows", ["inspect", "--plain", os.path.join(ROOT, "sample-images/digit-3-off-centre.pgm"),
                                                   "--model", write("overflow.safetensors", huge_shape)], {}, None)
    # A checkpoint train --save really wrote (with Adam's moments), its counts then pushed to Int.max.
    trained = path("trained.safetensors")
    run(binary, quick + ["--save", trained], env={"XDG_CACHE_HOME": path("cache-home")})
    with open(trained, "rb") as file:
        raw = file.read()
    length = struct.unpack("<Q", raw[:8])[0]
    for key in ("epoch", "step", "optimizer.step", "batch"):
        header = json.loads(raw[8:8 + length])
        header["__metadata__"][key] = str(2**63 - 1)
        text = json.dumps(header).encode()
        model = write(f"resume-{key}.safetensors", struct.pack("<Q", len(text)) + text + raw[8 + length:])
        yield (f"resume with {key} near Int.max", quick + ["--resume", model], {}, None)
    os.makedirs(path("no-test"), exist_ok=True)
    write("no-test/train-images-idx3-ubyte", idx([100, 28, 28], images[:100 * 784]))
    write("no-test/train-labels-idx1-ubyte", idx([100], bytes(i % 10 for i in range(100))))
    write("no-test/t10k-images-idx3-ubyte", idx([0, 28, 28], b""))
    write("no-test/t10k-labels-idx1-ubyte", idx([0], b""))
    yield ("--validation 0 with an empty test set", ["train", "--no-tui", "--epochs", "1", "--validation", "0",
                                                     "--data", path("no-test")], {}, None)
    os.makedirs(path("empty-train"), exist_ok=True)
    write("empty-train/train-images-idx3-ubyte", idx([0, 28, 28], b""))
    write("empty-train/train-labels-idx1-ubyte", idx([0], b""))
    write("empty-train/t10k-images-idx3-ubyte", idx([10, 28, 28], bytes(7840)))
    write("empty-train/t10k-labels-idx1-ubyte", idx([10], bytes(10)))
    yield ("empty training set", ["train", "--no-tui", "--epochs", "1", "--data", path("empty-train")], {}, None)
    yield ("--subset Int.max", ["train", "--no-tui", "--epochs", "1", "--subset", str(2**63 - 1)], {}, None)
    for key in ("padding", "stride", "dilation"):
        yield (f"lesson conv {key} Int.max", lesson_folder(f"conv-{key}", f'kind = "conv"\ntitle = "t"\ntext = "t"\n'
               f'input = "1 2 3; 4 5 6; 7 8 9"\nkernel = "1 0; 0 1"\n{key} = {2**63 - 1}\n'), {}, None)
    for key in ("size", "stride", "padding"):
        yield (f"lesson pool {key} Int.max", lesson_folder(f"pool-{key}", f'kind = "pool"\ntitle = "t"\ntext = "t"\n'
               f'input = "1 2; 3 4"\npool = "max"\n' + ("size = 2\n" if key != "size" else "") + f'{key} = {2**63 - 1}\n'), {}, None)
    yield ("--lr -0.1", ["train", "--no-tui", "--lr", "-0.1"], {},
           lambda r: "negative value read as a missing one" if "Missing value" in r["stderr"] else None)

    # Unbounded work and memory
    yield ("lesson pool 20001 padding 10000", lesson_folder("pool-huge", 'kind = "pool"\ntitle = "t"\ntext = "t"\n'
           'input = "1 2; 3 4"\npool = "max"\nsize = 20001\npadding = 10000\nstride = 1\n'), {}, None)
    yield ("compute conv huge dilation and padding", ["compute"], {"stdin": (json.dumps({
        "op": "conv2d", "input": {"shape": [1, 1, 3, 3], "data": [1] * 9},
        "weight": {"shape": [1, 1, 3, 3], "data": [1] * 9}, "dilation": 40000, "padding": 40000}) + "\n").encode()}, None)
    yield ("conv huge dilation and padding", ["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0 1; 0 1 0; 1 0 1",
                                              "--dilation", "100000", "--padding", "100000"], {}, None)
    yield ("pool huge window and padding", ["pool", "--input", "1 2; 3 4", "--kind", "max", "--size", "1000000",
                                            "--padding", "500000", "--stride", "1"], {}, None)
    yield ("conv --steps on a large output", ["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1", "--padding", "3000",
                                              "--steps"], {}, None)
    jpeg = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(64) + \
        bytes.fromhex("ffc0000b08") + struct.pack(">HH", 8000, 8000) + bytes.fromhex("01011100") + \
        bytes.fromhex("ffc4001f0000010501010101010100000000000000000102030405060708090a0b") + \
        bytes.fromhex("ffda0008010100003f00") + bytes(200) + bytes.fromhex("ffd9")
    yield ("small JPEG claiming 8000x8000", ["inspect", "--plain", write("huge.jpg", jpeg)], {}, None)
    import zlib
    compressor = zlib.compressobj(9)
    row = b"\0" * (30000 * 3 + 1)
    raw = b"".join(compressor.compress(row) for _ in range(2000)) + compressor.flush()
    png_header = b"\x89PNG\r\n\x1a\n"
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    png = png_header + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 20000, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    yield ("small PNG claiming 30000x20000", ["inspect", "--plain", write("huge.png", png)], {}, None)
    os.makedirs(path("bomb"), exist_ok=True)
    count = 700_000
    with gzip.open(path("bomb/train-images-idx3-ubyte.gz"), "wb", compresslevel=9) as file:
        file.write(idx([count, 28, 28], b""))
        zero = bytes(784 * 1000)
        for _ in range(count // 1000):
            file.write(zero)
    with gzip.open(path("bomb/train-labels-idx1-ubyte.gz"), "wb") as file:
        file.write(idx([count], bytes(count)))
    for split in ("t10k",):
        write(f"bomb/{split}-images-idx3-ubyte", idx([10, 28, 28], bytes(7840)))
        write(f"bomb/{split}-labels-idx1-ubyte", idx([10], bytes(10)))
    yield ("IDX.gz of 700,000 images", ["train", "--no-tui", "--epochs", "1", "--data", path("bomb")], {"timeout": 300}, None)
    os.makedirs(path("big-grid"), exist_ok=True)
    with open(path("big-grid/hostile.toml"), "wb") as file:
        file.write(lesson('kind = "conv"\ntitle = "t"\ntext = "t"\nkernel = "1 0; 0 1"\ninput = """\n'))
        row = (" ".join("1" for _ in range(10000)) + "\n").encode()
        for _ in range(10000):
            file.write(row)
        file.write(b'"""\n')
    yield ("lesson with a 10000x10000 grid", ["lessons", "check", "--lessons", path("big-grid"), "--no-builtin"],
           {"timeout": 200}, None)

    # Files that are not files
    os.makedirs(path("fifo-lessons"), exist_ok=True)
    os.mkfifo(path("fifo-lessons/pipe.toml"))
    yield ("FIFO lesson in a folder", ["lessons", "check", "--lessons", path("fifo-lessons"), "--no-builtin"], {"timeout": 30}, None)
    os.makedirs(path("state/convtutor"), exist_ok=True)
    os.mkfifo(path("state/convtutor/progress.json"))
    yield ("progress.json is a FIFO", ["lessons", "list"], {"timeout": 30, "env": {"XDG_DATA_HOME": path("state")}}, None)
    os.makedirs(path("zero-lessons"), exist_ok=True)
    os.symlink("/dev/zero", path("zero-lessons/zero.toml"))
    yield ("lesson linked to /dev/zero", ["lessons", "check", "--lessons", path("zero-lessons"), "--no-builtin"], {"timeout": 30}, None)
    os.symlink("/dev/zero", path("zero.png"))
    yield ("image linked to /dev/zero", ["inspect", "--plain", path("zero.png")], {"timeout": 30}, None)
    os.symlink("/dev/zero", path("zero.safetensors"))
    yield ("model linked to /dev/zero", ["inspect", "--plain", os.path.join(ROOT, "sample-images/digit-3-off-centre.pgm"),
                                         "--model", path("zero.safetensors")], {"timeout": 30}, None)
    os.makedirs(path("zero-data"), exist_ok=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        os.symlink("/dev/zero", path(f"zero-data/{name}"))
    yield ("dataset linked to /dev/zero", ["train", "--no-tui", "--epochs", "1", "--data", path("zero-data")], {"timeout": 30}, None)

    # Numbers that are not numbers
    digit = os.path.join(ROOT, "sample-images/digit-3-off-centre.pgm")
    for label, value in (("NaN", float("nan")), ("Inf", float("inf"))):
        model = write(f"{label}.safetensors", model_with(change_data=fill_tensor("conv2.weight", value)))
        yield (f"{label} weights, --plain", ["inspect", "--plain", digit, "--model", model], {}, None)
        yield (f"{label} weights, --json", ["inspect", "--json", digit, "--model", model], {},
               lambda r: "answered with exit 0" if r["code"] == 0 else None)
    for field, value in (("normalization_std", "0"), ("normalization_std", "nan"), ("normalization_mean", "inf"),
                         ("normalization_std", "-1")):
        def odd(header, field=field, value=value):
            header["__metadata__"][field] = value
        model = write(f"norm-{field}-{value}.safetensors", model_with(odd))
        yield (f"{field} = {value}", ["inspect", "--plain", digit, "--model", model], {}, None)

    # Lost work and signals
    if os.path.isdir(MNIST):
        long_train = ["train", "--no-tui", "--epochs", "3", "--data", MNIST]
        yield ("SIGHUP in headless training saves", long_train + ["--save", path("hup.safetensors")],
               {"signals": [(8, signal.SIGHUP)], "timeout": 300},
               lambda r: None if os.path.exists(path("hup.safetensors")) else "nothing was saved")
        yield ("SIGTERM twice", long_train + ["--save", path("term.safetensors")],
               {"signals": [(8, signal.SIGTERM), (8.05, signal.SIGTERM)], "timeout": 300},
               # Exit 0 is right only when the run had already stopped and saved before the second signal came.
               lambda r: None if r["code"] in (-signal.SIGTERM, 128 + signal.SIGTERM)
               or (r["code"] == 0 and "Checkpoint written" in r["stdout"] + r["stderr"])
               else f"exit {r['code']}, expected death by SIGTERM")


def describe(result):
    if result["timed_out"]:
        return "TIMEOUT"
    code = result["code"]
    return f"signal {-code}" if code < 0 else f"exit {code}"


def main():
    arguments = sys.argv[1:]
    only = None
    if "-k" in arguments:
        index = arguments.index("-k")
        only = arguments[index + 1]
        del arguments[index:index + 2]
    binary = os.path.abspath(arguments[0] if arguments else os.path.join(ROOT, ".build/release/convtutor"))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        print(f"{'case':44} {'result':9} {'time':>7} {'peak':>8}  first line printed")
        for name, args, options, check in cases(folder, binary):
            if only and only not in name:
                continue
            env = dict(options.get("env", {}))
            env.setdefault("XDG_DATA_HOME", os.path.join(folder, "data-home"))
            env.setdefault("XDG_CACHE_HOME", os.path.join(folder, "cache-home"))
            result = run(binary, args, stdin=options.get("stdin", b""), env=env,
                         timeout=options.get("timeout", 120), signals=options.get("signals", ()))
            problems = []
            if result["timed_out"]:
                problems.append("ran past its time limit")
            if result["code"] < 0 and -result["code"] not in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                problems.append("crashed")
            if result["peak_kb"] > MEMORY_LIMIT_KB:
                problems.append("used more than 1 GB")
            if check and (why := check(result)):
                problems.append(why)
            text = [line.strip() for line in (result["stderr"].strip() or result["stdout"].strip()).splitlines() if line.strip()]
            # lessons check prints a summary line first; its second line holds the problem.
            line = " | ".join(text[:2]) if args[:2] == ["lessons", "check"] else (text[0] if text else "")
            mark = "FAIL " + "; ".join(problems) if problems else "ok"
            print(f"{name[:44]:44} {describe(result):9} {result['seconds']:6.1f}s {result['peak_kb'] / 1024:6.0f}MB  {line[:200]}")
            if problems:
                print(f"{'':44} {mark}")
                failures += 1
            sys.stdout.flush()
    print(f"\n{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
