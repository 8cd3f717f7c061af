// The conv2d benchmark behind `convtutor bench` (being written by the lead).
public enum KernelBenchmark {}
