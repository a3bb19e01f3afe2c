/*
 * LD_PRELOAD'ed into the hot-path allocation check: counts every allocation in the process
 * while counting is on, on any thread. Read the counters through dlsym(RTLD_DEFAULT, ...).
 * The real allocator is glibc's, reached through its __libc_* entry points.
 */
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *p);

static uint64_t allocations;
static uint64_t bytes;
static int counting;

static inline void count(size_t size) {
    if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) {
        __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&bytes, size, __ATOMIC_RELAXED);
    }
}

void *malloc(size_t size) { count(size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(n * size); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(size); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count(size);
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
void free(void *p) { __libc_free(p); }

void malloc_counter_start(void) { __atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST); }
void malloc_counter_stop(void) { __atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST); }
uint64_t malloc_counter_allocations(void) { return __atomic_load_n(&allocations, __ATOMIC_SEQ_CST); }
uint64_t malloc_counter_bytes(void) { return __atomic_load_n(&bytes, __ATOMIC_SEQ_CST); }
void malloc_counter_reset(void) {
    __atomic_store_n(&allocations, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&bytes, 0, __ATOMIC_SEQ_CST);
}
