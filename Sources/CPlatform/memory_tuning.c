#include "memory_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>

void convtutor_keep_freed_memory(void) {
    // Blocks up to 256 MiB come from the heap, and up to 512 MiB of free heap is kept.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}
#else
void convtutor_keep_freed_memory(void) {}
#endif
