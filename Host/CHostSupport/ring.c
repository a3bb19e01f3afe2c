#include "CHostSupport.h"

#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HEADER 8u        /* int32 length (negative while being written), int32 type */
#define ALIGNMENT 8u
#define PADDING_TYPE (-1)

struct arb_ring {
    uint8_t *buffer;
    uint64_t capacity;
    uint64_t mask;
    _Alignas(64) uint64_t tail;      /* producers: next byte to claim */
    uint64_t head_cache;             /* producers: a head seen earlier (never ahead of head) */
    _Alignas(64) uint64_t head;      /* consumer: next byte to read */
    uint64_t peeked_length;
    _Alignas(64) uint32_t sleeping;  /* consumer is (about to be) in futex wait */
    uint32_t wake_word;              /* the futex */
};

static inline uint64_t align_up(uint64_t v) { return (v + ALIGNMENT - 1u) & ~(uint64_t)(ALIGNMENT - 1u); }

arb_ring_t *arb_ring_create(size_t capacity) {
    if (capacity < 4096u || (capacity & (capacity - 1u)) != 0u) return NULL;
    arb_ring_t *ring = aligned_alloc(64, sizeof(arb_ring_t));
    if (ring == NULL) return NULL;
    memset(ring, 0, sizeof(*ring));
    ring->buffer = aligned_alloc(64, capacity);
    if (ring->buffer == NULL) { free(ring); return NULL; }
    memset(ring->buffer, 0, capacity);
    ring->capacity = capacity;
    ring->mask = capacity - 1u;
    return ring;
}

void arb_ring_destroy(arb_ring_t *ring) {
    if (ring == NULL) return;
    free(ring->buffer);
    free(ring);
}

size_t arb_ring_max_payload(const arb_ring_t *ring) { return (size_t)(ring->capacity / 4u - HEADER); }

static inline int32_t *length_at(arb_ring_t *ring, uint64_t index) { return (int32_t *)(ring->buffer + index); }

void *arb_ring_claim(arb_ring_t *ring, int32_t type, size_t length) {
    if (type <= 0 || length > arb_ring_max_payload(ring)) return NULL;
    uint64_t record = align_up(HEADER + length);
    uint64_t tail, index, padding;
    for (;;) {
        /* Reading the consumer's head costs a cache-line transfer: use the last one seen and
         * refresh it only when the ring looks full. A stale head only underestimates the room. */
        uint64_t head = __atomic_load_n(&ring->head_cache, __ATOMIC_RELAXED);
        tail = __atomic_load_n(&ring->tail, __ATOMIC_RELAXED);
        index = tail & ring->mask;
        uint64_t to_end = ring->capacity - index;
        padding = record > to_end ? to_end : 0u;
        uint64_t required = record + padding;
        if (tail + required - head > ring->capacity) {
            head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
            __atomic_store_n(&ring->head_cache, head, __ATOMIC_RELAXED);
            if (tail + required - head > ring->capacity) return NULL;
        }
        if (__atomic_compare_exchange_n(&ring->tail, &tail, tail + required, 1, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) break;
    }
    if (padding != 0u) {
        int32_t *p = length_at(ring, index);
        p[1] = PADDING_TYPE;
        __atomic_store_n(&p[0], (int32_t)padding, __ATOMIC_RELEASE);
        index = 0u;
    }
    int32_t *h = length_at(ring, index);
    h[1] = type;
    __atomic_store_n(&h[0], -(int32_t)record, __ATOMIC_RELAXED);
    return ring->buffer + index + HEADER;
}

void arb_ring_commit(arb_ring_t *ring, void *payload) {
    int32_t *h = (int32_t *)((uint8_t *)payload - HEADER);
    int32_t record = -__atomic_load_n(&h[0], __ATOMIC_RELAXED);
    /* Dekker pairing with arb_ring_wait: a sequentially consistent commit, then a look for a
     * sleeper (the consumer sets `sleeping` and then looks for a commit, both seq_cst). */
    __atomic_store_n(&h[0], record, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ring->sleeping, __ATOMIC_SEQ_CST) != 0u) arb_ring_wake(ring);
}

void *arb_ring_peek(arb_ring_t *ring, int32_t *type, size_t *length) {
    for (;;) {
        uint64_t index = ring->head & ring->mask;
        int32_t *h = length_at(ring, index);
        int32_t record = __atomic_load_n(&h[0], __ATOMIC_ACQUIRE);
        if (record <= 0) return NULL;
        if (h[1] == PADDING_TYPE) {
            memset(h, 0, (size_t)record);
            __atomic_store_n(&ring->head, ring->head + (uint64_t)record, __ATOMIC_RELEASE);
            continue;
        }
        ring->peeked_length = (uint64_t)record;
        *type = h[1];
        *length = (size_t)record - HEADER;
        return (uint8_t *)h + HEADER;
    }
}

void arb_ring_release(arb_ring_t *ring) {
    uint64_t record = ring->peeked_length;
    if (record == 0u) return;
    /* Zeroed so that a later claim of this space reads "not committed" until it commits. */
    memset(ring->buffer + (ring->head & ring->mask), 0, (size_t)record);
    ring->peeked_length = 0u;
    __atomic_store_n(&ring->head, ring->head + record, __ATOMIC_RELEASE);
}

size_t arb_ring_used(const arb_ring_t *ring) {
    uint64_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
    return (size_t)(tail - head);
}

static int has_committed(arb_ring_t *ring) {
    int32_t *h = length_at(ring, ring->head & ring->mask);
    return __atomic_load_n(&h[0], __ATOMIC_SEQ_CST) > 0;
}

void arb_ring_wait(arb_ring_t *ring, int64_t timeout_ns) {
    uint32_t seen = __atomic_load_n(&ring->wake_word, __ATOMIC_ACQUIRE);
    __atomic_store_n(&ring->sleeping, 1u, __ATOMIC_SEQ_CST);
    if (!has_committed(ring) && timeout_ns != 0) {
        struct timespec ts;
        struct timespec *tsp = NULL;
        if (timeout_ns > 0) {
            ts.tv_sec = (time_t)(timeout_ns / 1000000000);
            ts.tv_nsec = (long)(timeout_ns % 1000000000);
            tsp = &ts;
        }
        syscall(SYS_futex, &ring->wake_word, FUTEX_WAIT_PRIVATE, seen, tsp, NULL, 0);
    }
    __atomic_store_n(&ring->sleeping, 0u, __ATOMIC_RELAXED);
}

void arb_ring_wake(arb_ring_t *ring) {
    __atomic_fetch_add(&ring->wake_word, 1u, __ATOMIC_RELEASE);
    syscall(SYS_futex, &ring->wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int64_t arb_wall_time_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t arb_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

_Thread_local const void *arb_current_engine __attribute__((tls_model("initial-exec")));

static void noop(void *context) { (void)context; }
arb_noop_fn arb_bench_noop(void) { return noop; }
