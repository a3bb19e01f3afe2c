/* Claims ABI 2.0: the host must refuse it before calling anything else. */
#include "../Common/fixture_common.h"

static int dummy;
static arb_status_t fixture_create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                                   const arb_errors_t *errors, void **out) {
    (void)host; (void)name; (void)params; (void)errors;
    *out = &dummy;
    return ARB_OK;
}

static const arb_plugin_descriptor_t descriptor = {
    sizeof(arb_plugin_descriptor_t), ARB_ABI_MAJOR + 1, 0, ARB_PLUGIN_STRATEGY,
    "org.arbhost.test.wrong-major", "Wrong major", "0.0.1", "built for a future major ABI", fixture_get_interface,
};

ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &descriptor;
}
