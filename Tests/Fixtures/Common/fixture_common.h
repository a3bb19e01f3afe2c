/* A minimal strategy for the loader's refusal tests; each fixture changes one thing. */
#include <string.h>
#include "arb_sdk.h"

static arb_status_t fixture_create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                                   const arb_errors_t *errors, void **out);
static void fixture_destroy(void *instance) { (void)instance; }
static arb_status_t fixture_start(void *instance) { (void)instance; return ARB_OK; }
static void fixture_stop(void *instance) { (void)instance; }

static const arb_strategy_v1_t fixture_strategy = {
    .struct_size = sizeof(arb_strategy_v1_t),
    .create = fixture_create,
    .destroy = fixture_destroy,
    .start = fixture_start,
    .stop = fixture_stop,
};

static const void *fixture_get_interface(const char *id) {
    return strcmp(id, ARB_INTERFACE_STRATEGY) == 0 ? &fixture_strategy : NULL;
}
