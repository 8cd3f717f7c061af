#ifndef CONVTUTOR_MEMORY_TUNING_H
#define CONVTUTOR_MEMORY_TUNING_H

/// Keeps freed tensor-sized blocks in the process heap instead of returning them to the system,
/// so the next tensor of the same size does not page-fault its way back in. Kernels allocate and
/// free megabyte-sized tensors on every call; with glibc's defaults each one is a fresh mmap whose
/// pages are faulted in (and zeroed by the kernel) one at a time, which costs more than a LeNet-5
/// convolution itself. A no-op where the C library has no mallopt.
void convtutor_keep_freed_memory(void);

#endif
