/*
 * arb_sdk.h — the arbhost plugin ABI, version 1.
 *
 * This header is the whole contract between the arbhost host process and its plugins
 * (strategies and exchange adapters). A plugin written in any language that can export a C
 * function builds against this file alone; it never links against host symbols.
 *
 * ---------------------------------------------------------------------------------------------
 * Rules that hold for every declaration below
 * ---------------------------------------------------------------------------------------------
 *
 * Entry. A plugin exports exactly one symbol, `arb_plugin_entry` (see the end of this file). It
 *   returns a static descriptor; everything else is reached through `get_interface(id)`, whose
 *   ids carry a version ("arb.strategy/1", "arb.exchange/1"). An incompatible change gets a new
 *   id and the old id keeps working.
 *
 * Versions. The host refuses a plugin whose ABI major differs from its own, and one whose minor
 *   is newer than its own. An older minor loads: every struct that may grow starts with
 *   `struct_size`, fields are only ever added at the end, and a reader treats fields beyond
 *   `struct_size` as zero. Always set `struct_size = sizeof(the struct)` when you fill a struct.
 *
 * Ownership. Whatever a callee receives by pointer is BORROWED for the duration of the call: copy
 *   it to keep it. Memory is freed by whoever allocated it. Strings cross as `arb_str_t`
 *   (pointer + length, UTF-8, not necessarily NUL-terminated) unless a field says otherwise.
 *
 * Failure. Nothing unwinds across this boundary: no C++ exceptions, no Swift errors, no longjmp,
 *   no traps. Functions report failure with an `arb_status_t` and, where a message helps, through
 *   an `arb_errors_t` sink the caller provides.
 *
 * Money. Prices, quantities, rates, fees and balances are `arb_decimal_t`: an exact signed
 *   128-bit integer count of 1e-18 units. Never pass them through `double`.
 *
 * Time. Timestamps are int64 nanoseconds since the Unix epoch, UTC. The host owns the clock:
 *   wall time when live, event time in replay. Plugins read time and set timers only through
 *   the host, so that replays are deterministic.
 *
 * ---------------------------------------------------------------------------------------------
 * Thread tags: every function comment ends with one of these.
 * ---------------------------------------------------------------------------------------------
 *
 * [load]    Called while the plugin file is being loaded, before any instance exists, on the
 *           host's control thread. Must not block on anything the host owns.
 * [engine]  Only on the host's engine thread: inside a callback the host made, or a timer.
 *           All trading state (books, orders, positions, risk) lives there. Must not block,
 *           sleep, do I/O or take locks that an I/O thread may hold; return quickly.
 *           A plugin calling an [engine] host function from another thread gets
 *           ARB_ERR_WRONG_THREAD.
 * [control] On the host's control thread (loading, configuring, starting, stopping, hot swap),
 *           never concurrently with [engine] calls into the same instance. May block briefly.
 * [io]      On an exchange adapter's own threads (its network or timer threads).
 * [any]     On any thread; the function is thread-safe.
 *
 * Lifecycle: create → start → (callbacks) → stop → destroy. Callbacks are only made between
 * start and stop. An instance's callbacks are never made concurrently with each other.
 */

#ifndef ARB_SDK_H
#define ARB_SDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================
 * Versions and basic types
 * ========================================================================================== */

#define ARB_ABI_MAJOR 1
#define ARB_ABI_MINOR 0

/* Interface ids for `get_interface`. */
#define ARB_INTERFACE_STRATEGY "arb.strategy/1"
#define ARB_INTERFACE_EXCHANGE "arb.exchange/1"

/* Status codes. Zero is success; every failure is a distinct positive value. */
typedef int32_t arb_status_t;
#define ARB_OK 0
#define ARB_ERR_INVALID_ARGUMENT 1  /* a null pointer, a bad enum value, a malformed field */
#define ARB_ERR_OVERFLOW 2          /* a decimal result does not fit; nothing was written */
#define ARB_ERR_DIVISION_BY_ZERO 3
#define ARB_ERR_PARSE 4             /* text is not a valid number / value */
#define ARB_ERR_NOT_AVAILABLE 5     /* the slot exists in ABI v1 but this host does not provide it yet */
#define ARB_ERR_UNSUPPORTED 6       /* the plugin or venue does not offer this */
#define ARB_ERR_NOT_FOUND 7         /* unknown instrument, order, timer, subscription, key */
#define ARB_ERR_WRONG_THREAD 8      /* an [engine] function called from another thread */
#define ARB_ERR_WRONG_STATE 9       /* e.g. an action before start or after stop */
#define ARB_ERR_REJECTED 10         /* refused by a check (parameters, risk, venue rules) */
#define ARB_ERR_BUFFER_TOO_SMALL 11 /* the output buffer is too small; the needed size is reported */
#define ARB_ERR_QUEUE_FULL 12       /* the host's inbound queue is full; retry later */
#define ARB_ERR_INTERNAL 13         /* a bug; the message says what */

/* A borrowed UTF-8 string: `len` bytes at `ptr`, not necessarily NUL-terminated. {NULL, 0} is
 * the empty string. */
typedef struct arb_str {
    const char *ptr;
    size_t len;
} arb_str_t;

/* A boolean that has the same size everywhere. */
typedef int32_t arb_bool_t;

/* How the host is running. In replay the clock is event time and replayable adapters are
 * stepped by the engine (see arb_exchange_v1_t.next_event_time); live, it is wall time. */
typedef int32_t arb_run_mode_t;
#define ARB_RUN_LIVE 1
#define ARB_RUN_REPLAY 2

/* ============================================================================================
 * The exact decimal
 * ============================================================================================
 *
 * value = (hi * 2^64 + lo) * 10^-18, two's complement over 128 bits (the layout of a
 * little-endian `__int128`). Range about ±1.7e20 with 18 decimal places: enough for
 * "0.000049895833333333" and for the notional of any position, with one scale for every
 * value, so comparison is integer comparison and every value has exactly one representation
 * (canonical for hashing and digests).
 *
 * Rounding happens only where a function takes an `arb_rounding_t`. Overflow is
 * ARB_ERR_OVERFLOW, never a wrap. Parsing and formatting, multiplication, division and rounding
 * to a step are host functions (see arb_host_decimal_t); comparison, addition and subtraction
 * are inline below.
 */
typedef struct arb_decimal {
    uint64_t lo;
    int64_t hi;
} arb_decimal_t;

#define ARB_DECIMAL_SCALE 18
/* 10^18, the integer value of 1.0. */
#define ARB_DECIMAL_ONE_LO 1000000000000000000ULL

typedef int32_t arb_rounding_t;
#define ARB_ROUND_DOWN 0       /* toward zero (truncate) */
#define ARB_ROUND_UP 1         /* away from zero */
#define ARB_ROUND_FLOOR 2      /* toward negative infinity */
#define ARB_ROUND_CEILING 3    /* toward positive infinity */
#define ARB_ROUND_HALF_UP 4    /* to nearest, ties away from zero */
#define ARB_ROUND_HALF_DOWN 5  /* to nearest, ties toward zero */
#define ARB_ROUND_HALF_EVEN 6  /* to nearest, ties to even (banker's) */
#define ARB_ROUND_UNNECESSARY 7 /* the value must already be exact; otherwise ARB_ERR_REJECTED */

/* Zero. */
static inline arb_decimal_t arb_decimal_zero(void) {
    arb_decimal_t z = {0u, 0};
    return z;
}

/* The decimal for a whole number of units. [any] */
static inline arb_decimal_t arb_decimal_from_int(int32_t units) {
    /* |units| * 1e18 < 2^95 fits easily; computed in 64-bit halves. */
    uint64_t mag = units < 0 ? (uint64_t)(-(int64_t)units) : (uint64_t)units;
    uint64_t a_lo = (ARB_DECIMAL_ONE_LO & 0xffffffffULL) * mag;
    uint64_t a_hi = (ARB_DECIMAL_ONE_LO >> 32) * mag;
    uint64_t lo = a_lo + (a_hi << 32);
    uint64_t hi = (a_hi >> 32) + (lo < a_lo ? 1u : 0u);
    arb_decimal_t r;
    if (units < 0) { /* two's complement negate */
        lo = ~lo + 1u;
        hi = ~hi + (lo == 0u ? 1u : 0u);
    }
    r.lo = lo;
    r.hi = (int64_t)hi;
    return r;
}

/* -1, 0 or 1 as a < b, a == b, a > b. [any] */
static inline int arb_decimal_compare(arb_decimal_t a, arb_decimal_t b) {
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

/* *out = a + b; ARB_ERR_OVERFLOW (and *out untouched) if it does not fit. [any] */
static inline arb_status_t arb_decimal_add(arb_decimal_t a, arb_decimal_t b, arb_decimal_t *out) {
    uint64_t lo = a.lo + b.lo;
    uint64_t hi = (uint64_t)a.hi + (uint64_t)b.hi + (lo < a.lo ? 1u : 0u);
    /* signed overflow: both operands have the same sign and the result's sign differs */
    if (((a.hi ^ (int64_t)hi) & (b.hi ^ (int64_t)hi)) < 0) return ARB_ERR_OVERFLOW;
    out->lo = lo;
    out->hi = (int64_t)hi;
    return ARB_OK;
}

/* *out = a - b; ARB_ERR_OVERFLOW (and *out untouched) if it does not fit. [any] */
static inline arb_status_t arb_decimal_sub(arb_decimal_t a, arb_decimal_t b, arb_decimal_t *out) {
    uint64_t lo = a.lo - b.lo;
    uint64_t hi = (uint64_t)a.hi - (uint64_t)b.hi - (a.lo < b.lo ? 1u : 0u);
    if (((a.hi ^ b.hi) & (a.hi ^ (int64_t)hi)) < 0) return ARB_ERR_OVERFLOW;
    out->lo = lo;
    out->hi = (int64_t)hi;
    return ARB_OK;
}

/* Decimal services the host lends to every plugin (a pointer to this table is in both host
 * tables). The same code as the host's own, so a C plugin and the host agree to the last digit.
 */
typedef struct arb_host_decimal {
    uint32_t struct_size;
    /* Parses an exchange string: optional sign, digits, optional '.' and up to 18 fraction
     * digits ("61800.30", "-0.000049895833333333", "1e-8" is refused: venues send plain
     * decimals). ARB_ERR_PARSE for anything else, ARB_ERR_OVERFLOW if too large, and
     * ARB_ERR_REJECTED for more than 18 fraction digits that are not all zero. [any] */
    arb_status_t (*parse)(arb_str_t text, arb_decimal_t *out);
    /* Writes the canonical form (no exponent, no trailing fraction zeros, "0" for zero, a '-'
     * for negatives) followed by a NUL into `buf`. Needs at most 44 bytes. *written (may be NULL)
     * receives the length without the NUL. ARB_ERR_BUFFER_TOO_SMALL if `cap` is too small. [any] */
    arb_status_t (*format)(arb_decimal_t value, char *buf, size_t cap, size_t *written);
    /* *out = a * b, rounded to 18 places by `rounding`. [any] */
    arb_status_t (*mul)(arb_decimal_t a, arb_decimal_t b, arb_rounding_t rounding, arb_decimal_t *out);
    /* *out = a / b, rounded to 18 places by `rounding`. ARB_ERR_DIVISION_BY_ZERO. [any] */
    arb_status_t (*div)(arb_decimal_t a, arb_decimal_t b, arb_rounding_t rounding, arb_decimal_t *out);
    /* Rounds `value` to `places` decimal places (0...18). [any] */
    arb_status_t (*round_places)(arb_decimal_t value, int32_t places, arb_rounding_t rounding, arb_decimal_t *out);
    /* Rounds `value` to a whole multiple of `step` (a tick or lot size, > 0). [any] */
    arb_status_t (*round_to_step)(arb_decimal_t value, arb_decimal_t step, arb_rounding_t rounding, arb_decimal_t *out);
} arb_host_decimal_t;

/* ============================================================================================
 * Errors with key paths
 * ============================================================================================
 *
 * A sink the caller (host) provides so a plugin can report one or more problems, each with the
 * key path it concerns ("entry_threshold", "legs[1].venue"; empty for the whole object).
 * The host copies what it receives. Calls may be made only during the call that received the
 * sink.
 */
typedef struct arb_errors arb_errors_t;
struct arb_errors {
    void *host_data; /* reserved for the host */
    /* Records one error. [same thread as the call that received the sink] */
    void (*add)(const arb_errors_t *errors, arb_str_t key_path, arb_str_t message);
};

/* ============================================================================================
 * Parameters
 * ============================================================================================
 *
 * Strategy parameters and adapter settings from strategies.yaml arrive as a flat list of
 * key-value pairs. Nested maps are flattened to dotted keys ("legs.near.venue"), list items to
 * bracketed indexes ("symbols[0]"). A plugin declares what it accepts (arb_param_decl_t): the
 * host checks types, ranges and required keys before create/reconfigure, and reports errors
 * with the key path; the plugin may check more in `validate_params`.
 */
typedef int32_t arb_param_type_t;
#define ARB_PARAM_BOOL 1
#define ARB_PARAM_INT 2      /* int64 */
#define ARB_PARAM_DECIMAL 3  /* exact decimal: thresholds, sizes, fees */
#define ARB_PARAM_STRING 4
#define ARB_PARAM_DURATION 5 /* nanoseconds as int64 ("250ms", "8h" in YAML) */

typedef struct arb_param {
    arb_str_t key;
    arb_param_type_t type;
    arb_bool_t bool_value;        /* ARB_PARAM_BOOL */
    int64_t int_value;            /* ARB_PARAM_INT, ARB_PARAM_DURATION (ns) */
    arb_decimal_t decimal_value;  /* ARB_PARAM_DECIMAL; also set for INT */
    arb_str_t string_value;       /* ARB_PARAM_STRING; the YAML text of the value for every type */
} arb_param_t;

typedef struct arb_params {
    const arb_param_t *items;
    size_t count;
} arb_params_t;

typedef struct arb_param_decl {
    uint32_t struct_size;
    const char *key;          /* NUL-terminated, static */
    arb_param_type_t type;
    arb_bool_t required;
    const char *default_text; /* YAML text of the default, or NULL (then required or absent) */
    arb_bool_t has_min;
    arb_decimal_t min;        /* inclusive, for INT/DECIMAL/DURATION (duration in seconds) */
    arb_bool_t has_max;
    arb_decimal_t max;        /* inclusive */
    const char *description;  /* one line, NUL-terminated, static */
} arb_param_decl_t;

/* ============================================================================================
 * Instruments
 * ========================================================================================== */

typedef int32_t arb_instrument_kind_t;
#define ARB_INSTRUMENT_SPOT 1
#define ARB_INSTRUMENT_PERPETUAL 2
#define ARB_INSTRUMENT_DATED_FUTURE 3

/* Identity of a tradable instrument: a configured venue instance ("binance", "okx-sim"), the
 * venue's own symbol ("BTCUSDT", "BTC-USDT-SWAP") and the kind. */
typedef struct arb_instrument {
    uint32_t struct_size;
    arb_str_t venue;
    arb_str_t symbol;
    arb_instrument_kind_t kind;
    int64_t expiry_ns; /* dated futures: delivery time; 0 otherwise */
} arb_instrument_t;

/* The host's handle for an instrument, valid for the life of the process (0 is "none").
 * Events carry handles, never strings, so the hot path compares integers. */
typedef uint32_t arb_instrument_id_t;

/* What a venue says about an instrument. */
typedef struct arb_instrument_spec {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_str_t base;                /* "BTC" */
    arb_str_t quote;               /* "USDT" */
    arb_str_t settle;              /* currency PnL and fees settle in */
    arb_decimal_t tick_size;       /* price increment */
    arb_decimal_t lot_size;        /* quantity increment */
    arb_decimal_t min_quantity;
    arb_decimal_t min_notional;
    arb_decimal_t contract_size;   /* 1 for spot and linear contracts */
    arb_bool_t inverse;            /* contract valued in quote, settled in base */
    int64_t funding_interval_ns;   /* perpetuals: 1 h, 4 h, 8 h...; 0 otherwise */
    arb_decimal_t maker_fee;       /* rate, e.g. 0.0002 */
    arb_decimal_t taker_fee;
    arb_decimal_t initial_margin;  /* rate; 0 for spot */
    arb_decimal_t maintenance_margin;
    int32_t price_precision;       /* decimal places the venue prints */
    int32_t quantity_precision;
} arb_instrument_spec_t;

/* ============================================================================================
 * Market data
 * ========================================================================================== */

typedef int32_t arb_side_t;
#define ARB_SIDE_BUY 1
#define ARB_SIDE_SELL 2

typedef struct arb_book_level {
    arb_decimal_t price;
    arb_decimal_t quantity; /* in a delta, 0 removes the level */
} arb_book_level_t;

/* An order-book snapshot or delta as an adapter emits it. Sequence numbers are the venue's
 * (Binance U/u/pu, OKX seqId/prevSeqId, Bybit u, HTX version); the adapter has already checked
 * the venue's rule (see report_gap); the host checks they increase. */
typedef struct arb_book_update {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_bool_t is_snapshot;        /* replaces the whole book */
    uint64_t first_sequence;       /* first venue update id covered (U) */
    uint64_t last_sequence;        /* last venue update id covered (u) */
    uint64_t previous_sequence;    /* the venue's previous id (pu), 0 if the venue has none */
    int64_t ts_event;              /* venue time */
    int64_t ts_init;               /* local receive time */
    const arb_book_level_t *bids;  /* best first */
    size_t bid_count;
    const arb_book_level_t *asks;  /* best first */
    size_t ask_count;
} arb_book_update_t;

/* What a strategy receives after the host applied an update to its book (on_market_data).
 * The host's book already reflects it (cache before publish). Quantities are 0 for an empty side. */
typedef struct arb_book_event {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_bool_t is_snapshot;
    uint64_t sequence;             /* last applied venue sequence */
    int64_t ts_event;
    int64_t ts_init;
    arb_decimal_t best_bid;
    arb_decimal_t best_bid_quantity;
    arb_decimal_t best_ask;
    arb_decimal_t best_ask_quantity;
    const arb_book_level_t *changed_bids; /* the levels this update touched, borrowed */
    size_t changed_bid_count;
    const arb_book_level_t *changed_asks;
    size_t changed_ask_count;
} arb_book_event_t;

/* Best bid and offer, as queried. */
typedef struct arb_top_of_book {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_decimal_t bid;
    arb_decimal_t bid_quantity;
    arb_decimal_t ask;
    arb_decimal_t ask_quantity;
    uint64_t sequence;
    int64_t ts_event;
    arb_bool_t stale;              /* a gap was reported and no fresh snapshot arrived yet */
} arb_top_of_book_t;

/* A public trade print (the seed's Trade, market side). */
typedef struct arb_trade {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_str_t trade_id;
    arb_side_t aggressor_side;
    arb_decimal_t price;
    arb_decimal_t quantity;
    int64_t ts_event;
    int64_t ts_init;
} arb_trade_t;

/* The seed's FundingRate, with mark and index. A positive rate means longs pay shorts;
 * payment = position notional at mark * rate. */
typedef struct arb_funding_rate {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_decimal_t rate;                /* the current period's rate */
    arb_bool_t has_predicted_rate;
    arb_decimal_t predicted_rate;
    arb_decimal_t mark_price;
    arb_decimal_t index_price;
    int64_t next_funding_time_ns;
    int64_t funding_interval_ns;       /* never assume 8 h */
    arb_decimal_t rate_cap;            /* 0 when the venue publishes none */
    arb_decimal_t rate_floor;
    int64_t ts_event;
    int64_t ts_init;
} arb_funding_rate_t;

/* A funding settlement on an open position. amount > 0 was received, < 0 was paid. */
typedef struct arb_funding_payment {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_decimal_t rate;
    arb_decimal_t position_quantity;   /* signed: > 0 long */
    arb_decimal_t mark_price;
    arb_decimal_t amount;
    arb_str_t currency;
    int64_t ts_event;
} arb_funding_payment_t;

/* ============================================================================================
 * Orders, fills, positions, balances
 * ========================================================================================== */

typedef int32_t arb_order_type_t;
#define ARB_ORDER_MARKET 1
#define ARB_ORDER_LIMIT 2

typedef int32_t arb_time_in_force_t;
#define ARB_TIF_GTC 1        /* good till cancelled */
#define ARB_TIF_IOC 2        /* immediate or cancel */
#define ARB_TIF_FOK 3        /* fill or kill */
#define ARB_TIF_POST_ONLY 4  /* rejected if it would take liquidity */

typedef int32_t arb_order_status_t;
#define ARB_ORDER_PENDING 1           /* sent, not yet confirmed by the venue */
#define ARB_ORDER_OPEN 2
#define ARB_ORDER_PARTIALLY_FILLED 3
#define ARB_ORDER_FILLED 4            /* final */
#define ARB_ORDER_CANCELLED 5         /* final */
#define ARB_ORDER_REJECTED 6          /* final */
#define ARB_ORDER_EXPIRED 7           /* final: IOC/FOK remainder, dated expiry */
#define ARB_ORDER_UNKNOWN 8           /* the venue's answer was lost; the host is querying it */

typedef int32_t arb_liquidity_t;
#define ARB_LIQUIDITY_MAKER 1
#define ARB_LIQUIDITY_TAKER 2

/* An order a strategy asks for, or the host asks an adapter to place. */
typedef struct arb_order_request {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_side_t side;
    arb_order_type_t type;
    arb_time_in_force_t time_in_force; /* ignored for market orders */
    arb_decimal_t quantity;            /* base units or contracts, a multiple of the lot size */
    arb_decimal_t price;               /* limit price, a multiple of the tick; ignored for market */
    arb_bool_t reduce_only;
    arb_str_t client_order_id;         /* strategies: leave empty, the host assigns a deterministic
                                          id; adapters: always set by the host */
} arb_order_request_t;

/* The state of one order after a change (the seed's Order). */
typedef struct arb_order_event {
    uint32_t struct_size;
    uint64_t order_id;                 /* the host's id (the action id of the submit) */
    arb_instrument_id_t instrument;
    arb_str_t client_order_id;
    arb_str_t venue_order_id;          /* empty until the venue assigned one */
    arb_side_t side;
    arb_order_type_t type;
    arb_time_in_force_t time_in_force;
    arb_order_status_t status;
    arb_bool_t is_final;               /* exactly one event per order has this set */
    arb_decimal_t quantity;
    arb_decimal_t price;
    arb_decimal_t filled_quantity;
    arb_decimal_t remaining_quantity;
    arb_decimal_t average_price;
    arb_decimal_t fee;                 /* cumulative */
    arb_str_t fee_currency;
    arb_str_t reason;                  /* for rejections and cancellations */
    int64_t ts_event;
    int64_t ts_init;
} arb_order_event_t;

/* One execution of one of our orders. */
typedef struct arb_fill {
    uint32_t struct_size;
    uint64_t order_id;                 /* host id; 0 if the venue reports an order we did not place */
    arb_instrument_id_t instrument;
    arb_str_t client_order_id;
    arb_str_t venue_order_id;
    arb_str_t trade_id;
    arb_side_t side;
    arb_decimal_t price;
    arb_decimal_t quantity;
    arb_decimal_t fee;                 /* rounded per fill to the settlement currency's precision */
    arb_str_t fee_currency;
    arb_liquidity_t liquidity;
    int64_t ts_event;
    int64_t ts_init;
} arb_fill_t;

/* The seed's Position. quantity is signed: > 0 long, < 0 short. */
typedef struct arb_position {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_decimal_t quantity;
    arb_decimal_t entry_price;
    arb_decimal_t mark_price;
    arb_decimal_t unrealized_pnl;
    arb_decimal_t realized_pnl;
    arb_decimal_t margin;
    arb_decimal_t leverage;
    int64_t ts_event;
} arb_position_t;

/* The seed's Balance. */
typedef struct arb_balance {
    uint32_t struct_size;
    arb_str_t venue;
    arb_str_t currency;
    arb_decimal_t free;
    arb_decimal_t used;
    arb_decimal_t total;
    int64_t ts_event;
} arb_balance_t;

/* ============================================================================================
 * Signals and arbitrage opportunities (the seed's TradingSignal and ArbitrageOpportunity)
 * ========================================================================================== */

typedef int32_t arb_priority_t;
#define ARB_PRIORITY_LOW 1
#define ARB_PRIORITY_MEDIUM 2
#define ARB_PRIORITY_HIGH 3
#define ARB_PRIORITY_URGENT 4

typedef int32_t arb_signal_type_t;
#define ARB_SIGNAL_ENTRY 1
#define ARB_SIGNAL_EXIT 2
#define ARB_SIGNAL_CLOSE 3

typedef struct arb_signal {
    uint32_t struct_size;
    arb_str_t id;                      /* the strategy's id for it; the host also assigns one */
    arb_str_t strategy_id;             /* filled in by the host with the instance name */
    arb_instrument_id_t instrument;
    arb_side_t side;
    arb_signal_type_t signal_type;
    arb_bool_t has_price;
    arb_decimal_t price;               /* limit price, or none for market */
    arb_decimal_t amount;
    double confidence;                 /* 0...1; a score, never money */
    arb_priority_t urgency;
    int64_t valid_until_ns;
    int64_t created_at_ns;
    arb_str_t metadata_json;           /* a JSON object, or empty */
} arb_signal_t;

typedef int32_t arb_arbitrage_type_t;
#define ARB_ARBITRAGE_SPOT_FUTURES 1
#define ARB_ARBITRAGE_FUTURES_FUTURES 2
#define ARB_ARBITRAGE_CROSS_EXCHANGE 3
#define ARB_ARBITRAGE_FUNDING_RATE 4

typedef struct arb_opportunity {
    uint32_t struct_size;
    arb_str_t id;
    arb_arbitrage_type_t type;
    arb_str_t symbol;                  /* the common symbol, e.g. "BTCUSDT" */
    const arb_str_t *exchanges;        /* venue instance names */
    size_t exchange_count;
    const arb_signal_t *entry_signals;
    size_t entry_signal_count;
    arb_decimal_t expected_profit;     /* in the quote currency, after fees and slippage */
    arb_decimal_t max_profit;
    double risk_score;                 /* 0 (none) ... 1 */
    arb_decimal_t max_position_size;
    double liquidity_score;            /* 0 ... 1 */
    arb_priority_t urgency;
    int64_t valid_until_ns;
    int64_t created_at_ns;
    arb_str_t metadata_json;
} arb_opportunity_t;

/* ============================================================================================
 * Actions and their outcomes
 * ============================================================================================
 *
 * Every action a strategy takes (order, cancel, amend, signal, group) returns ARB_OK and an
 * action id, or an error status and no id. An action with an id ends in exactly ONE
 * on_action_result with a final outcome. Orders additionally report their life through
 * on_order_update, of which exactly one has is_final set.
 *
 * Actions taken inside a callback are queued and handled after the current event, never
 * re-entrantly: the strategy's callback returns before anything happens to them.
 */
typedef uint64_t arb_action_id_t;

typedef int32_t arb_action_kind_t;
#define ARB_ACTION_SUBMIT_ORDER 1
#define ARB_ACTION_CANCEL_ORDER 2
#define ARB_ACTION_AMEND_ORDER 3
#define ARB_ACTION_SUBMIT_SIGNAL 4
#define ARB_ACTION_SUBMIT_GROUP 5

typedef int32_t arb_outcome_t;
#define ARB_OUTCOME_ACCEPTED 1  /* the venue (or host, for signals/groups) took it */
#define ARB_OUTCOME_REJECTED 2  /* refused: risk check, venue rule, unknown order; see reason */
#define ARB_OUTCOME_UNKNOWN 3   /* no answer in time: the host queries, it never resends blind */

typedef struct arb_action_result {
    uint32_t struct_size;
    arb_action_id_t action_id;
    arb_action_kind_t kind;
    arb_outcome_t outcome;
    arb_action_id_t order_id;          /* the order concerned (submit/cancel/amend) */
    arb_str_t reason;                  /* human-readable, with venue code where there is one */
    int32_t venue_code;                /* the venue's error code, 0 if none */
    int64_t ts_event;
} arb_action_result_t;

/* How a multi-leg group reacts when one leg fails. */
typedef int32_t arb_leg_failure_policy_t;
#define ARB_LEG_FAILURE_UNWIND 1       /* cancel open legs and close filled ones (default) */
#define ARB_LEG_FAILURE_CANCEL_REST 2  /* cancel the legs not yet filled, keep the filled */
#define ARB_LEG_FAILURE_KEEP 3         /* leave everything as it is and report */

typedef struct arb_order_group {
    uint32_t struct_size;
    const arb_order_request_t *legs;   /* all legs are risk-checked before the first is sent */
    size_t leg_count;
    arb_leg_failure_policy_t leg_failure_policy;
    int64_t timeout_ns;                /* a leg not filled by then counts as failed; 0 = none */
} arb_order_group_t;

/* ============================================================================================
 * Message bus
 * ========================================================================================== */

/* A message on the bus (the seed's Event: type/topic, data, timestamp, source, correlation id).
 * Topics are dotted: "data.book.<venue>.<symbol>", "custom.<plugin>.<name>". Subscriptions take
 * a pattern where '*' matches one segment and a trailing '>' matches the rest. */
typedef struct arb_bus_message {
    uint32_t struct_size;
    arb_str_t topic;
    arb_str_t payload;                 /* opaque bytes, JSON by convention */
    arb_str_t source;                  /* the publisher: instance name or host service */
    uint64_t correlation_id;           /* 0 if none */
    int64_t ts_event;
} arb_bus_message_t;

typedef uint64_t arb_subscription_id_t;
typedef uint64_t arb_timer_id_t;

/* Log levels. */
typedef int32_t arb_log_level_t;
#define ARB_LOG_TRACE 0
#define ARB_LOG_DEBUG 1
#define ARB_LOG_INFO 2
#define ARB_LOG_WARNING 3
#define ARB_LOG_ERROR 4

/* A growable byte buffer the host owns (for save_state). */
typedef struct arb_byte_sink arb_byte_sink_t;
struct arb_byte_sink {
    void *host_data;
    /* Appends bytes; ARB_ERR_OVERFLOW past the host's limit (16 MiB). [same thread as the call] */
    arb_status_t (*write)(const arb_byte_sink_t *sink, const void *bytes, size_t count);
};

/* ============================================================================================
 * The host table given to strategies
 * ============================================================================================
 *
 * One table per strategy instance; `host_data` identifies the instance to the host, so the
 * host knows who logs, who owns an order, a timer or a subscription. Everything a strategy owns
 * belongs to its configured instance name and survives a hot swap of its plugin binary.
 * The table lives until after `destroy`.
 */
typedef struct arb_strategy_host arb_strategy_host_t;
struct arb_strategy_host {
    uint32_t struct_size;
    void *host_data;
    const arb_host_decimal_t *decimal;
    arb_run_mode_t run_mode;

    /* -- host services ----------------------------------------------------------------- */

    /* Now on the host's clock (wall time live, event time in replay). [any] */
    int64_t (*now)(const arb_strategy_host_t *host);
    /* Writes a log line tagged with plugin id and instance name. [any] */
    void (*log)(const arb_strategy_host_t *host, arb_log_level_t level, arb_str_t message);
    /* A host extension by versioned id, or NULL if this host has none. [any] */
    const void *(*get_extension)(const arb_strategy_host_t *host, const char *extension_id);
    /* The current value of a parameter (after any reconfigure); the returned param's strings
     * are valid until the next reconfigure of this instance. ARB_ERR_NOT_FOUND. [engine] */
    arb_status_t (*param)(const arb_strategy_host_t *host, arb_str_t key, arb_param_t *out);

    /* -- instruments and market data --------------------------------------------------- */

    /* The handle for an instrument, creating it if new. [any] */
    arb_status_t (*instrument_id)(const arb_strategy_host_t *host, const arb_instrument_t *instrument,
                                  arb_instrument_id_t *out);
    /* Describes a handle. Strings stay valid for the life of the process. [any] */
    arb_status_t (*instrument)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_instrument_t *out);
    /* The venue's spec for an instrument, once the adapter reported it. ARB_ERR_NOT_FOUND. [engine] */
    arb_status_t (*instrument_spec)(const arb_strategy_host_t *host, arb_instrument_id_t id,
                                    arb_instrument_spec_t *out);
    /* Starts delivering book, trade and funding events of the instrument to this instance
     * (MarketDataService.subscribe). Idempotent. [engine, control] */
    arb_status_t (*subscribe_market)(const arb_strategy_host_t *host, arb_instrument_id_t id);
    /* Stops it. [engine, control] */
    arb_status_t (*unsubscribe_market)(const arb_strategy_host_t *host, arb_instrument_id_t id);
    /* Best bid and offer now. ARB_ERR_NOT_FOUND before the first snapshot. [engine] */
    arb_status_t (*top_of_book)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_top_of_book_t *out);
    /* Copies up to `capacity` levels of one side, best first; *count receives how many. [engine] */
    arb_status_t (*book_levels)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_side_t side,
                                arb_book_level_t *levels, size_t capacity, size_t *count);
    /* The last trade price, or the mid if no trade was seen. ARB_ERR_NOT_FOUND. [engine] */
    arb_status_t (*last_price)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_decimal_t *out);
    /* The latest funding rate of a perpetual. Strings in *out are not set. ARB_ERR_NOT_FOUND. [engine] */
    arb_status_t (*funding_rate)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_funding_rate_t *out);
    /* The position this host holds on the instrument. ARB_ERR_NOT_AVAILABLE until the
     * PositionManager lands (the orders issue). [engine] */
    arb_status_t (*position)(const arb_strategy_host_t *host, arb_instrument_id_t id, arb_position_t *out);

    /* -- actions (see "Actions and their outcomes") ---------------------------------------- */

    /* Places an order through risk checks and the OrderManager. In this host version orders
     * go straight to the venue's adapter (no risk check yet). [engine] */
    arb_status_t (*submit_order)(const arb_strategy_host_t *host, const arb_order_request_t *order,
                                 arb_action_id_t *out_id);
    /* Cancels an order by its host id. [engine] */
    arb_status_t (*cancel_order)(const arb_strategy_host_t *host, arb_action_id_t order_id, arb_action_id_t *out_id);
    /* Changes price and/or quantity (the adapter uses the venue's amend, or cancel-replace).
     * Pass the current value for what does not change. [engine] */
    arb_status_t (*amend_order)(const arb_strategy_host_t *host, arb_action_id_t order_id, arb_decimal_t new_price,
                                arb_decimal_t new_quantity, arb_action_id_t *out_id);
    /* Hands a signal to the host, which sizes (position_size), checks and routes it.
     * ARB_ERR_NOT_AVAILABLE until the orders issue lands. [engine] */
    arb_status_t (*submit_signal)(const arb_strategy_host_t *host, const arb_signal_t *signal, arb_action_id_t *out_id);
    /* Places a multi-leg group under its leg-failure policy.
     * ARB_ERR_NOT_AVAILABLE until the orders issue lands. [engine] */
    arb_status_t (*submit_group)(const arb_strategy_host_t *host, const arb_order_group_t *group,
                                 arb_action_id_t *out_id);

    /* -- timers ----------------------------------------------------------------------------- */

    /* Calls on_timer at `deadline_ns` on the host clock, then every `interval_ns` if > 0.
     * A deadline in the past fires after the current event. Timers belong to the strategy's
     * name: after a hot swap the new build's `start` asking for a timer with the tag and
     * interval of one it already has gets that timer's id (no duplicate). [engine, control] */
    arb_status_t (*set_timer)(const arb_strategy_host_t *host, int64_t deadline_ns, int64_t interval_ns,
                              uint64_t tag, arb_timer_id_t *out_id);
    /* ARB_ERR_NOT_FOUND if it already fired (one-shot) or was cancelled. [engine] */
    arb_status_t (*cancel_timer)(const arb_strategy_host_t *host, arb_timer_id_t id);

    /* -- message bus --------------------------------------------------------------------- */

    /* Publishes to the bus; subscribers get it after the current event. The host copies the
     * message; source and timestamp are set by the host. [engine] */
    arb_status_t (*publish)(const arb_strategy_host_t *host, arb_str_t topic, arb_str_t payload,
                            uint64_t correlation_id);
    /* Delivers messages whose topic matches `pattern` to on_bus_message. [engine, control] */
    arb_status_t (*subscribe)(const arb_strategy_host_t *host, arb_str_t pattern, arb_subscription_id_t *out_id);
    /* [engine, control] */
    arb_status_t (*unsubscribe)(const arb_strategy_host_t *host, arb_subscription_id_t id);
};

/* ============================================================================================
 * The strategy interface (ARB_INTERFACE_STRATEGY)
 * ============================================================================================
 *
 * A plugin may create many instances (one per configured strategy entry). `instance` is the
 * plugin's own pointer, returned by create. Callbacks may be NULL where marked "optional"; the
 * host then skips them.
 */
typedef struct arb_strategy_v1 {
    uint32_t struct_size;

    /* Declared parameters: a static array owned by the plugin, valid while it is loaded.
     * The host validates types, ranges and required keys against it. Optional. [load, control] */
    void (*param_decls)(const arb_param_decl_t **decls, size_t *count);
    /* Checks a full parameter set beyond the declarations (cross-field rules), reporting each
     * problem with its key path. ARB_OK or ARB_ERR_REJECTED. Optional. [control] */
    arb_status_t (*validate_params)(const arb_params_t *params, const arb_errors_t *errors);

    /* Creates an instance called `name` (its strategies.yaml name) with validated parameters.
     * On failure returns an error, reports why through `errors`, and leaves *out_instance NULL.
     * `host` outlives the instance. [control] */
    arb_status_t (*create)(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                           const arb_errors_t *errors, void **out_instance);
    /* Frees the instance; called once, after stop. [control] */
    void (*destroy)(void *instance);

    /* Starts trading (the seed's StrategyBase.start); the host calls `initialize` (if set) just
     * before. Actions and subscriptions are allowed from here on. After it returns ARB_OK the
     * host delivers events; an error stops the instance again. [engine] */
    arb_status_t (*start)(void *instance);
    /* Stops trading; no callbacks follow. Open orders stay unless the strategy cancels them
     * here or its removal policy says otherwise. Not called when a hot swap retires this
     * instance: its orders, timers and subscriptions pass to the new build, which gets
     * restore_state and then start; the old instance only gets destroy. [engine] */
    void (*stop)(void *instance);

    /* The seed's lifecycle callbacks. [engine] each. */
    arb_status_t (*initialize)(void *instance);                                /* optional */
    void (*on_market_data)(void *instance, const arb_book_event_t *event);     /* optional */
    void (*on_funding_update)(void *instance, const arb_funding_rate_t *rate); /* optional */
    void (*on_arbitrage_opportunity)(void *instance, const arb_opportunity_t *opportunity); /* optional */
    /* Asked by the host after an opportunity or on request; push signals through
     * host->submit_signal. Optional. */
    void (*generate_signals)(void *instance);
    /* Size for a signal the host is about to route (seed: calculate_position_size). Returns
     * ARB_OK and *out_amount, or an error to fall back to the configured position size.
     * Optional. */
    arb_status_t (*position_size)(void *instance, const arb_signal_t *signal, arb_decimal_t *out_amount);

    /* Further events. [engine] each, optional. */
    void (*on_trade)(void *instance, const arb_trade_t *trade);
    void (*on_book_stale)(void *instance, arb_instrument_id_t instrument, arb_str_t reason);
    void (*on_book_resynced)(void *instance, arb_instrument_id_t instrument);
    void (*on_order_update)(void *instance, const arb_order_event_t *order);
    void (*on_fill)(void *instance, const arb_fill_t *fill);
    void (*on_action_result)(void *instance, const arb_action_result_t *result);
    void (*on_position_update)(void *instance, const arb_position_t *position);
    void (*on_funding_payment)(void *instance, const arb_funding_payment_t *payment);
    void (*on_timer)(void *instance, arb_timer_id_t timer, uint64_t tag);
    void (*on_bus_message)(void *instance, const arb_bus_message_t *message);

    /* Applies new parameters to the running instance (already validated against the
     * declarations). Returning an error refuses the change: the instance must then behave as
     * before, and the host keeps the old parameters. Optional: without it, any parameter change
     * is refused. [engine] */
    arb_status_t (*reconfigure)(void *instance, const arb_params_t *params, const arb_errors_t *errors);

    /* Writes the instance's state for a hot swap and sets *out_version (the plugin's own schema
     * number). Optional: without it a swap starts the new instance fresh. [engine] */
    arb_status_t (*save_state)(void *instance, const arb_byte_sink_t *sink, uint32_t *out_version);
    /* Restores state written by save_state of possibly another build, before start. Refuse a
     * version it cannot read with ARB_ERR_REJECTED: the host then keeps the old instance.
     * Optional. [control] */
    arb_status_t (*restore_state)(void *instance, uint32_t version, const uint8_t *bytes, size_t count,
                                  const arb_errors_t *errors);
} arb_strategy_v1_t;

/* ============================================================================================
 * Exchange adapters: requests and events
 * ============================================================================================
 *
 * The host sends requests to an adapter; each request carries a host-assigned request id and
 * gets exactly ONE final answer through `host->request_done` (accepted, rejected or unknown).
 * Data a request returns (books, orders, balances...) is emitted through the matching emit
 * functions before the final answer, tagged with the request id. Timeouts belong to the host:
 * an adapter never retries an order blind.
 */
typedef uint64_t arb_request_id_t;

typedef int32_t arb_channel_t;
#define ARB_CHANNEL_BOOK 1
#define ARB_CHANNEL_TRADES 2
#define ARB_CHANNEL_FUNDING 3
#define ARB_CHANNEL_TICKER 4

typedef int32_t arb_connection_state_t;
#define ARB_CONNECTION_CONNECTING 1
#define ARB_CONNECTION_CONNECTED 2
#define ARB_CONNECTION_DISCONNECTED 3

/* A ticker (the seed's get_ticker). */
typedef struct arb_ticker {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_decimal_t bid;
    arb_decimal_t ask;
    arb_decimal_t last;
    arb_decimal_t volume_24h;
    arb_decimal_t mark_price;          /* 0 where the venue has none (spot) */
    arb_decimal_t index_price;
    int64_t ts_event;
} arb_ticker_t;

/* A venue's request-weight budget as the adapter knows it. */
typedef struct arb_rate_limit_state {
    uint32_t struct_size;
    int64_t used;                      /* units used in the current window */
    int64_t limit;                     /* units allowed per window; 0 = unknown */
    int64_t window_ns;
    int64_t retry_after_ns;            /* > 0 while the venue asked us to back off */
} arb_rate_limit_state_t;

/* A cancel, amend or query names an order by venue id and/or client id (either may be empty). */
typedef struct arb_order_ref {
    uint32_t struct_size;
    arb_instrument_id_t instrument;
    arb_str_t venue_order_id;
    arb_str_t client_order_id;
} arb_order_ref_t;

/* HTTP, WebSocket and HMAC services lent to adapters. */
typedef struct arb_http_header {
    arb_str_t name;
    arb_str_t value;
} arb_http_header_t;

typedef struct arb_http_request {
    uint32_t struct_size;
    arb_str_t method;                  /* "GET", "POST", "PUT", "DELETE" */
    arb_str_t url;
    const arb_http_header_t *headers;
    size_t header_count;
    arb_str_t body;
    int64_t timeout_ns;
} arb_http_request_t;

typedef struct arb_http_response {
    uint32_t struct_size;
    arb_status_t transport_status;     /* ARB_OK when a response arrived */
    int32_t http_status;
    const arb_http_header_t *headers;
    size_t header_count;
    arb_str_t body;
    arb_str_t error;                   /* transport error text */
} arb_http_response_t;

/* Called once per http_request with the response (borrowed). [io] (a host I/O thread) */
typedef void (*arb_http_callback_t)(void *user_data, const arb_http_response_t *response);

typedef uint64_t arb_ws_id_t;

typedef struct arb_ws_callbacks {
    uint32_t struct_size;
    void *user_data;
    /* [io] each */
    void (*on_open)(void *user_data, arb_ws_id_t ws);
    void (*on_message)(void *user_data, arb_ws_id_t ws, arb_str_t message, arb_bool_t is_binary);
    void (*on_close)(void *user_data, arb_ws_id_t ws, int32_t code, arb_str_t reason);
} arb_ws_callbacks_t;

typedef int32_t arb_hmac_algorithm_t;
#define ARB_HMAC_SHA256 1
#define ARB_HMAC_SHA384 2
#define ARB_HMAC_SHA512 3

/* The host table given to exchange adapters: one per venue instance. */
typedef struct arb_exchange_host arb_exchange_host_t;
struct arb_exchange_host {
    uint32_t struct_size;
    void *host_data;
    const arb_host_decimal_t *decimal;
    /* In replay an adapter with ARB_EXCHANGE_CAP_STEP_MODE starts no threads: the engine steps it. */
    arb_run_mode_t run_mode;

    /* [any] */
    int64_t (*now)(const arb_exchange_host_t *host);
    /* [any] */
    void (*log)(const arb_exchange_host_t *host, arb_log_level_t level, arb_str_t message);
    /* [any] */
    const void *(*get_extension)(const arb_exchange_host_t *host, const char *extension_id);
    /* The handle for an instrument of this venue (`venue` may be empty: this venue). [any] */
    arb_status_t (*instrument_id)(const arb_exchange_host_t *host, const arb_instrument_t *instrument,
                                  arb_instrument_id_t *out);
    /* [any] */
    arb_status_t (*instrument)(const arb_exchange_host_t *host, arb_instrument_id_t id, arb_instrument_t *out);

    /* -- events. Each copies what it receives. From [io] threads they enter the host's
     *    inbound queue (ARB_ERR_QUEUE_FULL if it is full: the adapter should report a gap and
     *    resync); from the engine thread (step mode) they are delivered in order after the
     *    current step. request is 0 for unsolicited stream events. [any] each. ------------ */
    arb_status_t (*emit_instrument_spec)(const arb_exchange_host_t *host, arb_request_id_t request,
                                         const arb_instrument_spec_t *spec);
    arb_status_t (*emit_book)(const arb_exchange_host_t *host, arb_request_id_t request,
                              const arb_book_update_t *update);
    arb_status_t (*emit_trade)(const arb_exchange_host_t *host, const arb_trade_t *trade);
    arb_status_t (*emit_ticker)(const arb_exchange_host_t *host, arb_request_id_t request, const arb_ticker_t *ticker);
    arb_status_t (*emit_funding)(const arb_exchange_host_t *host, arb_request_id_t request,
                                 const arb_funding_rate_t *rate);
    arb_status_t (*emit_funding_payment)(const arb_exchange_host_t *host, const arb_funding_payment_t *payment);
    /* Private stream and query results. order_id in the event may be 0: the host matches by
     * client_order_id. */
    arb_status_t (*emit_order)(const arb_exchange_host_t *host, arb_request_id_t request,
                               const arb_order_event_t *order);
    arb_status_t (*emit_fill)(const arb_exchange_host_t *host, arb_request_id_t request, const arb_fill_t *fill);
    arb_status_t (*emit_position)(const arb_exchange_host_t *host, arb_request_id_t request,
                                  const arb_position_t *position);
    arb_status_t (*emit_balance)(const arb_exchange_host_t *host, arb_request_id_t request,
                                 const arb_balance_t *balance);
    /* A sequence gap: the local book of `instrument` is wrong from here until the adapter emits
     * a fresh snapshot. The host marks it stale and tells strategies. */
    arb_status_t (*report_gap)(const arb_exchange_host_t *host, arb_instrument_id_t instrument,
                               uint64_t expected_sequence, uint64_t received_sequence);
    arb_status_t (*report_connection)(const arb_exchange_host_t *host, arb_connection_state_t state,
                                      arb_str_t detail);
    /* The final answer to request `request`: exactly once per request. For a create_order,
     * ACCEPTED means the venue acknowledged it (the order event with its venue id follows or
     * precedes); UNKNOWN means the answer was lost. */
    arb_status_t (*request_done)(const arb_exchange_host_t *host, arb_request_id_t request, arb_outcome_t outcome,
                                 int32_t venue_code, arb_str_t message);

    /* -- timers: for simulated latency and venue schedules. Fire on the engine thread through
     *    the adapter's on_timer. [any] ------------------------------------------------------ */
    arb_status_t (*set_timer)(const arb_exchange_host_t *host, int64_t deadline_ns, int64_t interval_ns,
                              uint64_t tag, arb_timer_id_t *out_id);
    arb_status_t (*cancel_timer)(const arb_exchange_host_t *host, arb_timer_id_t id);

    /* -- network and signing. ARB_ERR_NOT_AVAILABLE until the real-venue issue lands. ------- */
    /* Sends a request; `callback` is called exactly once unless this returns an error. [any] */
    arb_status_t (*http_request)(const arb_exchange_host_t *host, const arb_http_request_t *request,
                                 arb_http_callback_t callback, void *user_data);
    /* Opens a WebSocket; callbacks on a host I/O thread. [any] */
    arb_status_t (*ws_connect)(const arb_exchange_host_t *host, arb_str_t url, const arb_http_header_t *headers,
                               size_t header_count, const arb_ws_callbacks_t *callbacks, arb_ws_id_t *out_id);
    /* [any] */
    arb_status_t (*ws_send)(const arb_exchange_host_t *host, arb_ws_id_t ws, arb_str_t message);
    /* [any] */
    arb_status_t (*ws_close)(const arb_exchange_host_t *host, arb_ws_id_t ws);
    /* Writes the MAC of `message` under `key` into out (capacity `cap`, 64 bytes always
     * suffices) and its length into *out_len. [any] */
    arb_status_t (*hmac)(const arb_exchange_host_t *host, arb_hmac_algorithm_t algorithm, arb_str_t key,
                         arb_str_t message, uint8_t *out, size_t cap, size_t *out_len);
    /* Reads a secret from the environment variable the config names for `field` ("api_key",
     * "secret", "passphrase") into buf; secrets never appear in config, logs or the database.
     * ARB_ERR_NOT_FOUND if not configured. [control, io] */
    arb_status_t (*credential)(const arb_exchange_host_t *host, arb_str_t field, char *buf, size_t cap,
                               size_t *out_len);
};

/* Feature bits an adapter reports in `capabilities`. */
#define ARB_EXCHANGE_CAP_AMEND 0x1u          /* native amend; otherwise the host cancel-replaces */
#define ARB_EXCHANGE_CAP_STEP_MODE 0x2u      /* replayable: next_event_time/advance_to */
#define ARB_EXCHANGE_CAP_PRIVATE_STREAM 0x4u
#define ARB_EXCHANGE_CAP_FUNDING 0x8u        /* has perpetuals with funding */

/* ============================================================================================
 * The exchange-adapter interface (ARB_INTERFACE_EXCHANGE)
 * ============================================================================================
 *
 * One instance per configured venue. Every request function returns quickly: ARB_OK means the
 * request was taken and exactly one request_done will follow (possibly from inside the call,
 * in step mode); an error return means nothing was sent and nothing follows. Live adapters do
 * their I/O on their own threads. [control or engine] for every request function unless noted.
 */
typedef struct arb_exchange_v1 {
    uint32_t struct_size;
    uint32_t capabilities;             /* ARB_EXCHANGE_CAP_* */

    /* Settings (strategies.yaml `exchanges[i].settings`) declared like strategy parameters.
     * Optional. [load, control] */
    void (*param_decls)(const arb_param_decl_t **decls, size_t *count);
    /* [control] */
    arb_status_t (*create)(const arb_exchange_host_t *host, arb_str_t name, const arb_params_t *settings,
                           const arb_errors_t *errors, void **out_instance);
    /* [control] */
    void (*destroy)(void *instance);
    /* Connects (live) or opens its data (replay) and begins emitting. [control] */
    arb_status_t (*connect)(void *instance);
    /* Stops all I/O; no emit after it returns. [control] */
    void (*disconnect)(void *instance);

    /* The seed's ExchangeInterface. */
    arb_status_t (*get_symbols)(void *instance, arb_request_id_t request);          /* emit_instrument_spec... */
    arb_status_t (*get_orderbook)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument,
                                  uint32_t depth);                                   /* emit_book (snapshot) */
    arb_status_t (*get_ticker)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument);
    arb_status_t (*get_funding_rate)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument);
    arb_status_t (*get_funding_rate_history)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument,
                                             int64_t since_ns, uint32_t limit);
    arb_status_t (*get_balance)(void *instance, arb_request_id_t request);
    arb_status_t (*get_positions)(void *instance, arb_request_id_t request);
    arb_status_t (*create_order)(void *instance, arb_request_id_t request, const arb_order_request_t *order);
    arb_status_t (*cancel_order)(void *instance, arb_request_id_t request, const arb_order_ref_t *order);
    /* Only with ARB_EXCHANGE_CAP_AMEND; may be NULL otherwise. */
    arb_status_t (*amend_order)(void *instance, arb_request_id_t request, const arb_order_ref_t *order,
                                arb_decimal_t new_price, arb_decimal_t new_quantity);
    /* By venue id or client id (emit_order with the result). */
    arb_status_t (*get_order)(void *instance, arb_request_id_t request, const arb_order_ref_t *order);
    /* instrument 0: all instruments. */
    arb_status_t (*get_open_orders)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument);
    /* Fills since a point (emit_fill each, oldest first). */
    arb_status_t (*get_fills)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument,
                              int64_t since_ns, uint32_t limit);
    /* Emits nothing; request_done's message is the server time in ns as decimal text. */
    arb_status_t (*get_server_time)(void *instance, arb_request_id_t request);
    /* Public streams: subscribe_orderbook / subscribe_trades / subscribe_funding_rate of the
     * seed, by channel. A book subscription starts with a snapshot. */
    arb_status_t (*subscribe)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument,
                              arb_channel_t channel);
    arb_status_t (*unsubscribe)(void *instance, arb_request_id_t request, arb_instrument_id_t instrument,
                                arb_channel_t channel);
    /* Private stream: orders, fills, positions, balances. */
    arb_status_t (*subscribe_private)(void *instance, arb_request_id_t request);
    /* [any] */
    arb_status_t (*rate_limit_state)(void *instance, arb_rate_limit_state_t *out);

    /* Step mode (ARB_EXCHANGE_CAP_STEP_MODE). The engine asks for the time of the adapter's
     * next event and advances it to a time; what it emits while advancing is delivered in order
     * on the engine thread. ARB_ERR_NOT_FOUND when the adapter has no more events. [engine] */
    arb_status_t (*next_event_time)(void *instance, int64_t *out_ns);
    arb_status_t (*advance_to)(void *instance, int64_t time_ns);

    /* A timer set through host->set_timer fired. Optional. [engine] */
    void (*on_timer)(void *instance, arb_timer_id_t timer, uint64_t tag);

    /* Checks settings beyond their declarations (choices, settings that must agree, files that
     * must exist), reporting every problem to `errors` with its key path. The host calls it in
     * `arbhost check`, before `create`, and for a reload that changes the venue, so a bad setting
     * is a configuration error at its file:line:column, not a venue that fails to appear.
     * Optional. ARB_OK or ARB_ERR_REJECTED. [load, control] */
    arb_status_t (*validate_params)(const arb_params_t *settings, const arb_errors_t *errors);
} arb_exchange_v1_t;

/* ============================================================================================
 * Entry
 * ============================================================================================ */

typedef int32_t arb_plugin_kind_t;
#define ARB_PLUGIN_STRATEGY 1
#define ARB_PLUGIN_EXCHANGE 2

typedef struct arb_plugin_descriptor {
    uint32_t struct_size;
    uint32_t abi_major;               /* ARB_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;               /* ARB_ABI_MINOR the plugin was built with */
    arb_plugin_kind_t kind;
    const char *id;                   /* stable, reverse-DNS: "org.arbhost.strategy.spread-logger" */
    const char *name;                 /* human-readable */
    const char *version;              /* the plugin's own version, "1.2.0" */
    const char *description;          /* one line */
    /* The interface table for a versioned id (ARB_INTERFACE_*), or NULL if the plugin does not
     * offer it. The table is static: valid while the plugin is loaded. [load, control] */
    const void *(*get_interface)(const char *interface_id);
} arb_plugin_descriptor_t;

/* The one exported symbol. The host passes its own ABI version; the plugin returns its static
 * descriptor (all strings NUL-terminated and static), or NULL if it cannot work with that host.
 * Rationale: the version is checked before any other call, so an incompatible plugin is refused
 * before it touches a table it does not understand. [load] */
#define ARB_PLUGIN_ENTRY_SYMBOL "arb_plugin_entry"
typedef const arb_plugin_descriptor_t *(*arb_plugin_entry_t)(uint32_t host_abi_major, uint32_t host_abi_minor);

#if defined(_WIN32)
#define ARB_EXPORT __declspec(dllexport)
#else
#define ARB_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
}
#endif

#endif /* ARB_SDK_H */
