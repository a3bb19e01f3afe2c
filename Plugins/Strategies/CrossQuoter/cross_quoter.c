/*
 * cross_quoter: an example strategy plugin in plain C, built against arb_sdk.h alone.
 *
 * It keeps one passive limit order resting `offset_ticks` behind the best bid of one
 * instrument, cancels it when the market has moved `requote_ticks` away, and places a new one
 * once the cancel is confirmed. Every book update costs one host query (top_of_book) and no
 * allocation; order events are logged. Every parameter but the venue and symbol changes live
 * (reconfigure), and a hot swap hands the working order to the new build (save_state).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arb_sdk.h"

typedef struct quoter {
    const arb_strategy_host_t *host;
    char name[64];
    char venue[64];
    char symbol[32];
    arb_instrument_kind_t kind;
    arb_instrument_id_t instrument;
    arb_decimal_t tick;
    arb_decimal_t quantity;
    int64_t offset_ticks;
    int64_t requote_ticks;
    arb_bool_t place_orders;
    /* the one working order */
    arb_action_id_t order;         /* 0: none */
    arb_decimal_t order_price;
    arb_bool_t cancel_sent;
    uint64_t book_events;
    uint64_t orders_placed;
    uint64_t fills;
    int64_t resynced_at;
} quoter_t;

static void logf_(const quoter_t *q, arb_log_level_t level, const char *fmt, const char *a, const char *b) {
    char line[256];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (n < 0) return;
    arb_str_t s = {line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1};
    q->host->log(q->host, level, s);
}

static int copy_param(const arb_params_t *params, const char *key, char *out, size_t cap) {
    for (size_t i = 0; i < params->count; i++) {
        const arb_param_t *p = &params->items[i];
        if (p->key.len == strlen(key) && memcmp(p->key.ptr, key, p->key.len) == 0) {
            size_t n = p->string_value.len < cap - 1 ? p->string_value.len : cap - 1;
            memcpy(out, p->string_value.ptr, n);
            out[n] = 0;
            return 1;
        }
    }
    return 0;
}

static const arb_param_t *find_param(const arb_params_t *params, const char *key) {
    for (size_t i = 0; i < params->count; i++) {
        const arb_param_t *p = &params->items[i];
        if (p->key.len == strlen(key) && memcmp(p->key.ptr, key, p->key.len) == 0) return p;
    }
    return NULL;
}

/* 1e18-scaled helpers for the declarations below. */
#define DEC(units_lo) {(uint64_t)(units_lo), 0}

static const arb_param_decl_t decls[] = {
    {sizeof(arb_param_decl_t), "venue", ARB_PARAM_STRING, 1, NULL, 0, DEC(0), 0, DEC(0), "venue instance to quote on"},
    {sizeof(arb_param_decl_t), "symbol", ARB_PARAM_STRING, 0, "BTCUSDT", 0, DEC(0), 0, DEC(0), "the symbol to quote"},
    {sizeof(arb_param_decl_t), "kind", ARB_PARAM_STRING, 0, "perpetual", 0, DEC(0), 0, DEC(0), "perpetual or spot"},
    {sizeof(arb_param_decl_t), "tick_size", ARB_PARAM_DECIMAL, 0, "0.1", 1, DEC(1), 0, DEC(0), "price increment"},
    {sizeof(arb_param_decl_t), "quantity", ARB_PARAM_DECIMAL, 0, "0.001", 1, DEC(1), 0, DEC(0), "order size"},
    {sizeof(arb_param_decl_t), "offset_ticks", ARB_PARAM_INT, 0, "5", 1, DEC(0), 1, {0x35c9adc5dea00000ULL, 0x36}, /* 1000 */
     "ticks behind the best bid"},
    {sizeof(arb_param_decl_t), "requote_ticks", ARB_PARAM_INT, 0, "10", 1, {ARB_DECIMAL_ONE_LO, 0}, 0, DEC(0),
     "requote when the bid moved this far"},
    {sizeof(arb_param_decl_t), "place_orders", ARB_PARAM_BOOL, 0, "true", 0, DEC(0), 0, DEC(0),
     "false: only watch the book"},
};

static void param_decls(const arb_param_decl_t **out, size_t *count) {
    *out = decls;
    *count = sizeof decls / sizeof decls[0];
}

static arb_status_t validate_params(const arb_params_t *params, const arb_errors_t *errors) {
    char kind[16] = {0};
    if (copy_param(params, "kind", kind, sizeof kind) && strcmp(kind, "perpetual") != 0 && strcmp(kind, "spot") != 0) {
        static const char key[] = "kind", msg[] = "expected perpetual or spot";
        arb_str_t k = {key, sizeof key - 1}, m = {msg, sizeof msg - 1};
        errors->add(errors, k, m);
        return ARB_ERR_REJECTED;
    }
    const arb_param_t *offset = find_param(params, "offset_ticks");
    const arb_param_t *requote = find_param(params, "requote_ticks");
    if (offset && requote && requote->int_value <= offset->int_value / 2) {
        static const char key[] = "requote_ticks", msg[] = "must be more than half of offset_ticks, or it requotes forever";
        arb_str_t k = {key, sizeof key - 1}, m = {msg, sizeof msg - 1};
        errors->add(errors, k, m);
        return ARB_ERR_REJECTED;
    }
    return ARB_OK;
}

/* Reads the parameters that may change while running. */
static void apply_params(quoter_t *q, const arb_params_t *params) {
    const arb_param_t *p;
    if ((p = find_param(params, "tick_size"))) q->tick = p->decimal_value;
    if ((p = find_param(params, "quantity"))) q->quantity = p->decimal_value;
    if ((p = find_param(params, "offset_ticks"))) q->offset_ticks = p->int_value;
    if ((p = find_param(params, "requote_ticks"))) q->requote_ticks = p->int_value;
    if ((p = find_param(params, "place_orders"))) q->place_orders = p->bool_value;
}

static arb_status_t create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                           const arb_errors_t *errors, void **out) {
    (void)errors;
    /* One allocation per instance, freed by destroy: instances come and go with reloads and swaps. */
    quoter_t *q = calloc(1, sizeof *q);
    if (q == NULL) return ARB_ERR_INTERNAL;
    q->host = host;
    size_t n = name.len < sizeof q->name - 1 ? name.len : sizeof q->name - 1;
    memcpy(q->name, name.ptr, n);
    copy_param(params, "venue", q->venue, sizeof q->venue);
    copy_param(params, "symbol", q->symbol, sizeof q->symbol);
    char kind[16] = {0};
    copy_param(params, "kind", kind, sizeof kind);
    q->kind = strcmp(kind, "spot") == 0 ? ARB_INSTRUMENT_SPOT : ARB_INSTRUMENT_PERPETUAL;
    apply_params(q, params);
    *out = q;
    return ARB_OK;
}

static void destroy(void *instance) { free(instance); }

/* New parameters while running (already checked against the declarations and validate_params):
 * the venue, symbol and kind name the instrument this instance subscribed to, so they cannot change. */
static arb_status_t reconfigure(void *instance, const arb_params_t *params, const arb_errors_t *errors) {
    quoter_t *q = instance;
    char venue[64] = {0}, symbol[32] = {0}, kind[16] = {0};
    copy_param(params, "venue", venue, sizeof venue);
    copy_param(params, "symbol", symbol, sizeof symbol);
    copy_param(params, "kind", kind, sizeof kind);
    arb_instrument_kind_t new_kind = strcmp(kind, "spot") == 0 ? ARB_INSTRUMENT_SPOT : ARB_INSTRUMENT_PERPETUAL;
    const char *key = strcmp(venue, q->venue) != 0 ? "venue"
                    : (strcmp(symbol, q->symbol) != 0 ? "symbol" : (new_kind != q->kind ? "kind" : NULL));
    if (key != NULL) {
        static const char msg[] = "cannot change while running; restart the strategy (remove it and add it again)";
        arb_str_t k = {key, strlen(key)}, m = {msg, sizeof msg - 1};
        errors->add(errors, k, m);
        return ARB_ERR_REJECTED;
    }
    apply_params(q, params);
    logf_(q, ARB_LOG_INFO, "reconfigured%s%s", "", "");
    return ARB_OK;
}

static arb_status_t start(void *instance) {
    quoter_t *q = instance;
    arb_instrument_t inst = {sizeof(arb_instrument_t), {q->venue, strlen(q->venue)}, {q->symbol, strlen(q->symbol)},
                             q->kind, 0};
    arb_status_t s = q->host->instrument_id(q->host, &inst, &q->instrument);
    if (s != ARB_OK) return s;
    logf_(q, ARB_LOG_INFO, "quoting %s on %s", q->symbol, q->venue);
    return q->host->subscribe_market(q->host, q->instrument);
}

static void stop(void *instance) {
    quoter_t *q = instance;
    if (q->order != 0 && !q->cancel_sent) {
        arb_action_id_t id;
        q->host->cancel_order(q->host, q->order, &id);
    }
}

/* price = best_bid - offset * tick */
static arb_status_t target_price(const quoter_t *q, arb_decimal_t best_bid, arb_decimal_t *out) {
    arb_decimal_t offset = arb_decimal_from_int((int32_t)q->offset_ticks), distance;
    arb_status_t s = q->host->decimal->mul(offset, q->tick, ARB_ROUND_UNNECESSARY, &distance);
    if (s != ARB_OK) return s;
    return arb_decimal_sub(best_bid, distance, out);
}

static void on_market_data(void *instance, const arb_book_event_t *event) {
    quoter_t *q = instance;
    q->book_events++;
    if (event->instrument != q->instrument) return;
    arb_top_of_book_t top;
    if (q->host->top_of_book(q->host, q->instrument, &top) != ARB_OK || top.stale) return;
    if (!q->place_orders || arb_decimal_compare(top.bid, arb_decimal_zero()) <= 0) return;
    arb_decimal_t price;
    if (target_price(q, top.bid, &price) != ARB_OK) return;
    if (q->order == 0) {
        arb_order_request_t order = {sizeof(arb_order_request_t), q->instrument, ARB_SIDE_BUY, ARB_ORDER_LIMIT,
                                     ARB_TIF_POST_ONLY, q->quantity, price, 0, {NULL, 0}};
        if (q->host->submit_order(q->host, &order, &q->order) == ARB_OK) {
            q->order_price = price;
            q->cancel_sent = 0;
            q->orders_placed++;
        }
        return;
    }
    /* requote when the target moved requote_ticks away from the working price */
    arb_decimal_t moved, limit, step = arb_decimal_from_int((int32_t)q->requote_ticks);
    if (arb_decimal_sub(price, q->order_price, &moved) != ARB_OK) return;
    if (arb_decimal_compare(moved, arb_decimal_zero()) < 0 && arb_decimal_sub(arb_decimal_zero(), moved, &moved) != ARB_OK) return;
    if (q->host->decimal->mul(step, q->tick, ARB_ROUND_UNNECESSARY, &limit) != ARB_OK) return;
    if (!q->cancel_sent && arb_decimal_compare(moved, limit) >= 0) {
        arb_action_id_t id;
        if (q->host->cancel_order(q->host, q->order, &id) == ARB_OK) q->cancel_sent = 1;
    }
}

static void on_order_update(void *instance, const arb_order_event_t *order) {
    quoter_t *q = instance;
    char price[48];
    q->host->decimal->format(order->price, price, sizeof price, NULL);
    static const char *names[] = {"?", "pending", "open", "partially filled", "filled", "cancelled", "rejected",
                                  "expired", "unknown"};
    const char *status = order->status >= 1 && order->status <= 8 ? names[order->status] : "?";
    if (order->status != ARB_ORDER_PENDING) logf_(q, ARB_LOG_INFO, "order %s at %s", status, price);
    if (order->status == ARB_ORDER_FILLED) q->fills++;
    if (order->is_final && order->order_id == q->order) q->order = 0;
}

static void on_action_result(void *instance, const arb_action_result_t *result) {
    quoter_t *q = instance;
    if (result->outcome == ARB_OUTCOME_REJECTED) {
        char reason[160];
        size_t n = result->reason.len < sizeof reason - 1 ? result->reason.len : sizeof reason - 1;
        memcpy(reason, result->reason.ptr, n);
        reason[n] = 0;
        logf_(q, ARB_LOG_WARNING, "action rejected: %s%s", reason, "");
        if (result->kind == ARB_ACTION_CANCEL_ORDER) q->cancel_sent = 0;
    }
}

/* The book is whole again: note when (a working order placed before the gap is kept). */
static void on_book_resynced(void *instance, arb_instrument_id_t instrument) {
    quoter_t *q = instance;
    if (instrument == q->instrument || q->instrument == 0) q->resynced_at = q->host->now(q->host);
}

/* State v2: the counters, then the working order (its host id, price and whether its cancel is
 * on its way), so a new build takes over the order instead of placing a second one.
 * v1 (counters only) is still read. */
typedef struct saved_state {
    uint64_t book_events, orders_placed, fills;
    uint64_t order;
    arb_decimal_t order_price;
    uint64_t cancel_sent;
} saved_state_t;

static arb_status_t save_state(void *instance, const arb_byte_sink_t *sink, uint32_t *version) {
    quoter_t *q = instance;
    saved_state_t state = {q->book_events, q->orders_placed, q->fills, q->order, q->order_price, q->cancel_sent};
    *version = 2;
    return sink->write(sink, &state, sizeof state);
}

static arb_status_t restore_state(void *instance, uint32_t version, const uint8_t *bytes, size_t count,
                                  const arb_errors_t *errors) {
    quoter_t *q = instance;
    saved_state_t state;
    memset(&state, 0, sizeof state);
    size_t expected = version == 1 ? 3 * sizeof(uint64_t) : sizeof state;
    if ((version != 1 && version != 2) || count != expected) {
        static const char msg[] = "unknown state layout (this build reads versions 1 and 2)";
        arb_str_t k = {NULL, 0}, m = {msg, sizeof msg - 1};
        errors->add(errors, k, m);
        return ARB_ERR_REJECTED;
    }
    memcpy(&state, bytes, count);
    q->book_events = state.book_events;
    q->orders_placed = state.orders_placed;
    q->fills = state.fills;
    q->order = state.order;
    q->order_price = state.order_price;
    q->cancel_sent = (arb_bool_t)state.cancel_sent;
    return ARB_OK;
}

static const arb_strategy_v1_t strategy = {
    .struct_size = sizeof(arb_strategy_v1_t),
    .param_decls = param_decls,
    .validate_params = validate_params,
    .create = create,
    .destroy = destroy,
    .reconfigure = reconfigure,
    .start = start,
    .stop = stop,
    .on_market_data = on_market_data,
    .on_order_update = on_order_update,
    .on_action_result = on_action_result,
    .on_book_resynced = on_book_resynced,
    .save_state = save_state,
    .restore_state = restore_state,
};

static const void *get_interface(const char *id) {
    return strcmp(id, ARB_INTERFACE_STRATEGY) == 0 ? &strategy : NULL;
}

static const arb_plugin_descriptor_t descriptor = {
    sizeof(arb_plugin_descriptor_t), ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_PLUGIN_STRATEGY,
    "org.arbhost.strategy.cross-quoter", "Cross quoter", "1.0.0",
    "Keeps one passive order behind the best bid and requotes, in plain C", get_interface,
};

ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t host_major, uint32_t host_minor) {
    (void)host_minor;
    return host_major == ARB_ABI_MAJOR ? &descriptor : NULL;
}
