/* Small C pieces the host needs that Swift cannot express directly: the lock-free inbound
 * ring (C11-style atomics on raw memory) and futex wait/wake for an idle engine thread. */
#ifndef ARB_HOST_SUPPORT_H
#define ARB_HOST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* A bounded multi-producer, single-consumer ring of variable-length records (after Aeron's
 * ManyToOneRingBuffer). Producers claim space with one CAS, write in place and commit with a
 * release store; the consumer reads records in claim order without locks or allocation. */
typedef struct arb_ring arb_ring_t;

/* capacity: bytes, a power of two >= 4096. NULL on allocation failure. */
arb_ring_t *arb_ring_create(size_t capacity);
void arb_ring_destroy(arb_ring_t *ring);
/* The largest payload one record can carry. */
size_t arb_ring_max_payload(const arb_ring_t *ring);

/* Claims a record of `type` (> 0) with room for `length` payload bytes. Returns the payload
 * pointer (8-byte aligned) to fill and pass to arb_ring_commit, or NULL if the ring is full or
 * the record too large. Any thread. */
void *arb_ring_claim(arb_ring_t *ring, int32_t type, size_t length);
/* Publishes a claimed record and wakes the consumer if it sleeps. Any thread. */
void arb_ring_commit(arb_ring_t *ring, void *payload);

/* The next committed record: returns its payload and sets *type and *length, or NULL if there
 * is none yet. The record stays valid until arb_ring_release. Consumer thread only. */
void *arb_ring_peek(arb_ring_t *ring, int32_t *type, size_t *length);
/* Frees the record returned by the last peek. Consumer thread only. */
void arb_ring_release(arb_ring_t *ring);
/* Bytes claimed and not yet released (approximate from other threads). */
size_t arb_ring_used(const arb_ring_t *ring);

/* Puts the consumer to sleep until a producer commits or `timeout_ns` passes (< 0: no limit).
 * Returns at once if a record is already committed. Consumer thread only. */
void arb_ring_wait(arb_ring_t *ring, int64_t timeout_ns);
/* Wakes a sleeping consumer (e.g. to stop it). Any thread. */
void arb_ring_wake(arb_ring_t *ring);

/* CLOCK_REALTIME and CLOCK_MONOTONIC in nanoseconds. */
int64_t arb_wall_time_ns(void);
int64_t arb_monotonic_ns(void);

/* The engine whose thread this is (NULL on other threads): one thread-local load tells an
 * engine whether it is called from its own thread. */
extern _Thread_local const void *arb_current_engine __attribute__((tls_model("initial-exec")));
static inline const void *arb_engine_of_this_thread(void) { return arb_current_engine; }
static inline void arb_set_engine_of_this_thread(const void *engine) { arb_current_engine = engine; }

/* The plugin callback this thread is in, for the crash report: `instance` names the plugin and
 * its instance (a string that lives as long as the instance), `callback` the callback (a
 * literal). Set around each call into a plugin; NULL outside. */
extern _Thread_local const char *arb_crash_instance __attribute__((tls_model("initial-exec")));
extern _Thread_local const char *arb_crash_callback __attribute__((tls_model("initial-exec")));
static inline void arb_crash_marker_set(const char *instance, const char *callback) {
    arb_crash_instance = instance;
    arb_crash_callback = callback;
}
static inline void arb_crash_marker_clear(void) { arb_crash_instance = 0; }
/* Installs handlers for SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP that print the
 * marker (when a plugin callback was running) before the previous handler or the default
 * action runs. Once per process. */
void arb_install_crash_reporter(void);

/* Tells the CPU this is a spin-wait loop (x86 `pause`): polling slows down and stops
 * stealing the cache line a producer is writing. */
static inline void arb_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* A C function that does nothing, reached through a pointer the compiler cannot see through:
 * the benchmarks' baseline for one indirect C call. */
typedef void (*arb_noop_fn)(void *);
arb_noop_fn arb_bench_noop(void);

#endif
