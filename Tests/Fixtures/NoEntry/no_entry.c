/* A valid shared library that forgot to export arb_plugin_entry. */
#include "../Common/fixture_common.h"

static int dummy;
static arb_status_t fixture_create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                                   const arb_errors_t *errors, void **out) {
    (void)host; (void)name; (void)params; (void)errors;
    *out = &dummy;
    return ARB_OK;
}

ARB_EXPORT const void *not_the_entry(void) { return fixture_get_interface(ARB_INTERFACE_STRATEGY); }
