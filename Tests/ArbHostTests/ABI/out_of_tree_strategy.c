/*
 * A strategy built outside the package with one line:
 *     cc -std=c11 -shared -fPIC -I PluginSDK/include out_of_tree_strategy.c -o oot.so
 * On start it parses its `price` parameter's text through the host's decimal services,
 * multiplies it by 2 and publishes the result on custom.oot.doubled.
 */
#include <string.h>
#include "arb_sdk.h"

typedef struct { const arb_strategy_host_t *host; char price[64]; size_t price_len; } oot_t;
static oot_t instance;

static const arb_param_decl_t decls[] = {
    {sizeof(arb_param_decl_t), "price", ARB_PARAM_STRING, 1, NULL, 0, {0, 0}, 0, {0, 0}, "a price as text"},
};

static void param_decls(const arb_param_decl_t **out, size_t *count) { *out = decls; *count = 1; }

static arb_status_t create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                           const arb_errors_t *errors, void **out) {
    (void)name; (void)errors;
    instance.host = host;
    for (size_t i = 0; i < params->count; i++) {
        if (params->items[i].key.len == 5 && memcmp(params->items[i].key.ptr, "price", 5) == 0) {
            size_t n = params->items[i].string_value.len;
            if (n >= sizeof instance.price) n = sizeof instance.price - 1;
            memcpy(instance.price, params->items[i].string_value.ptr, n);
            instance.price_len = n;
        }
    }
    *out = &instance;
    return ARB_OK;
}

static void destroy(void *p) { (void)p; }

static arb_status_t start(void *p) {
    oot_t *s = p;
    arb_decimal_t price, doubled;
    arb_str_t text = {s->price, s->price_len};
    arb_status_t st = s->host->decimal->parse(text, &price);
    if (st != ARB_OK) return st;
    st = s->host->decimal->mul(price, arb_decimal_from_int(2), ARB_ROUND_UNNECESSARY, &doubled);
    if (st != ARB_OK) return st;
    char out[64];
    size_t len = 0;
    st = s->host->decimal->format(doubled, out, sizeof out, &len);
    if (st != ARB_OK) return st;
    static const char topic[] = "custom.oot.doubled";
    arb_str_t t = {topic, sizeof topic - 1}, payload = {out, len};
    return s->host->publish(s->host, t, payload, 42);
}

static void stop(void *p) { (void)p; }

static const arb_strategy_v1_t strategy = {
    .struct_size = sizeof(arb_strategy_v1_t), .param_decls = param_decls, .create = create,
    .destroy = destroy, .start = start, .stop = stop,
};

static const void *get_interface(const char *id) {
    return strcmp(id, ARB_INTERFACE_STRATEGY) == 0 ? &strategy : NULL;
}

static const arb_plugin_descriptor_t descriptor = {
    sizeof(arb_plugin_descriptor_t), ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_PLUGIN_STRATEGY,
    "org.example.out-of-tree", "Out of tree", "0.1.0", "built with one cc line", get_interface,
};

ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t major, uint32_t minor) {
    (void)minor;
    return major == ARB_ABI_MAJOR ? &descriptor : NULL;
}
