"""Rewrites a checkpoint written by `convtutor train --save` without its optimizer state, for
shipping: the weights stay byte for byte, and so does the rest of the metadata (the recipe, the
normalisation, the step count). Such a file loads everywhere a checkpoint does, except --resume,
which says why.

    python3 tools/strip_optimizer_state.py Sources/Networks/Resources/lenet5-mnist.safetensors
    python3 tools/strip_optimizer_state.py IN.safetensors OUT.safetensors

The state is metadata entries holding base64 tensors, listed in TrainingOptimizer.stateKeys
(Sources/Training/TrainingOptimizer.swift): Adam's optimizer.exp_avg and optimizer.exp_avg_sq,
SGD's optimizer.momentum_buffer. Standard library only. The output goes to a temporary file beside
it and is renamed into place, so a failure leaves the old file whole.
"""
import json, os, struct, sys, tempfile

STATE_KEYS = ["optimizer.exp_avg", "optimizer.exp_avg_sq", "optimizer.momentum_buffer"]


def strip(source, target):
    with open(source, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        sys.exit(f"{source}: {len(data)} bytes is too short for a safetensors file")
    (length,) = struct.unpack('<Q', data[:8])
    if length > len(data) - 8:
        sys.exit(f"{source}: its header claims {length} bytes but the file has {len(data) - 8} after the length")
    header = json.loads(data[8:8 + length])
    tensors = data[8 + length:]
    metadata = header.get('__metadata__', {})
    removed = [key for key in STATE_KEYS if key in metadata]
    for key in removed:
        del metadata[key]
    # The same layout as Checkpoint.encoded(): sorted keys, padded with spaces to an 8-byte boundary.
    text = json.dumps(header, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((-(8 + len(text))) % 8)
    output = struct.pack('<Q', len(text)) + text + tensors
    folder = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(dir=folder, suffix='.partial')
    try:
        with os.fdopen(handle, 'wb') as f:
            f.write(output)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    print(f"{target}: {len(data)} -> {len(output)} bytes; removed {', '.join(removed) or 'nothing (no optimizer state)'}")


if __name__ == '__main__':
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    strip(sys.argv[1], sys.argv[-1])
