import ArgumentParser
import Foundation

/// `convtutor compute`: the JSON Lines filter.
struct ComputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Run whole tensors through the kernels: JSON Lines requests in, answers out.",
        discussion: """
            Each line of standard input is one request; each line of standard output answers the \
            request on the same line, as soon as it is computed. A tensor is \
            {"shape": [...], "data": [numbers, row-major]}. Where a pair is allowed (kernel, stride, \
            padding, dilation) give an integer for both axes or [height, width].

            Requests, one JSON object per line: {"op": "<op>", "<field>": <value>, ...}
            (T is a tensor, "?" marks an optional field and its default):
              conv2d           input T[N,C,H,W], weight T[O,C/groups,KH,KW], bias? T[O],
                               stride? 1, padding? 0, dilation? 1, groups? 1,
                               gradOutput? T
              maxpool2d, avgpool2d, sumpool2d
                               input T[N,C,H,W], kernel k, stride? k, padding? 0,
                               ceilMode? false, gradOutput? T
              globalavgpool2d  input T[N,C,H,W], gradOutput? T
              adaptiveavgpool2d
                               input T[N,C,H,W], outputSize [OH, OW] (or one integer),
                               gradOutput? T
              relu, leaky_relu, sigmoid, tanh, relu6, silu
                               input T, slope? 0.01 (leaky_relu only), gradOutput? T
              softmax          input T[N,K] (softmax over dimension 1), gradOutput? T
              linear           input T[N,F], weight T[O,F], bias? T[O], gradOutput? T
              softmax_cross_entropy
                               input T[N,K], labels [N integers in 0..<K]
              add              input T, other T (the same shape), gradOutput? T
              concat           inputs [T[N,C1,H,W], T[N,C2,H,W], ...] (joined along the
                               channels), gradOutput? T
              channel_scale    input T[N,C,H,W], scale T[N,C,1,1] (each channel times its
                               factor, as squeeze-and-excitation), gradOutput? T

            Answers: {"output": T}, plus "gradInput", "gradWeight" and "gradBias" \
            (where the op has them) when gradOutput is given; for add "gradInput" and \
            "gradOther", for concat "gradInputs" [T, ...] (one per input, in order), \
            for channel_scale "gradInput" and "gradScale"; \
            {"loss": x, "gradInput": T} for softmax_cross_entropy. Numbers are written in the shortest form that reads \
            back as the same 32-bit float, integers without a decimal point; a value that \
            is not finite is null. An invalid request is answered {"error": "..."} and \
            the lines after it go on; the exit status is then 1.

            Examples:
              echo '{"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}}' |
                convtutor compute
              echo '{"op": "maxpool2d", "kernel": 2,
                     "input": {"shape": [1, 1, 2, 2], "data": [1, 5, 3, 2]}}' |
                tr -d '\\n' | convtutor compute
              convtutor compute < requests.jsonl > answers.jsonl
            """)

    func run() throws {
        // Lines are bounded as they are read: a line without end on standard input is refused, not held.
        let failures = ComputeFilter.run(
            readInputLine: {
                ComputeFilter.readBoundedLine {
                    let byte = getchar_unlocked()
                    return byte == EOF ? nil : UInt8(truncatingIfNeeded: byte)
                }
            },
            write: { answer in
                print(answer)
                fflush(nil)  // flush every answer, so that a pipe sees it at once
            })
        if failures > 0 {
            FileHandle.standardError.write(Data("convtutor compute: \(failures) request\(failures == 1 ? "" : "s") failed\n".utf8))
            throw ExitCode.failure
        }
    }
}
