// libFuzzer entry point for the safetensors reader: any bytes must give a Checkpoint or a CheckpointError, never a
// crash, a trap, a hang or an allocation past the memory budget (the script runs with -rss_limit_mb=1100). Whatever
// reads must also survive becoming a LeNet-5, as `inspect --model` and `train --resume` do next. Compiled into the
// Networks module by tools/fuzz-safetensors.sh; not part of the package.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let checkpoint = try? Checkpoint(bytes: bytes, name: "fuzz-input") else { return 0 }
    _ = try? checkpoint.normalization(name: "fuzz-input")
    for variant in LeNet5.Variant.allCases {
        _ = try? LeNet5(checkpoint: checkpoint, variant: variant, name: "fuzz-input")
    }
    return 0
}
