/* Loads fine, but every create fails with a keyed reason. */
#include "../Common/fixture_common.h"

static arb_status_t fixture_create(const arb_strategy_host_t *host, arb_str_t name, const arb_params_t *params,
                                   const arb_errors_t *errors, void **out) {
    static const char key[] = "api_key", message[] = "no exchange account configured for this test plugin";
    (void)host; (void)name; (void)params;
    arb_str_t k = {key, sizeof key - 1}, m = {message, sizeof message - 1};
    errors->add(errors, k, m);
    *out = NULL;
    return ARB_ERR_REJECTED;
}

static const arb_plugin_descriptor_t descriptor = {
    sizeof(arb_plugin_descriptor_t), ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_PLUGIN_STRATEGY,
    "org.arbhost.test.create-fails", "Create fails", "0.0.1", "refuses to create instances", fixture_get_interface,
};

ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &descriptor;
}
