/* Compiles the header once as part of the package so that a change that breaks C compilation
 * breaks the build, not only the plugins built out of tree. The SDK itself is header-only. */
#include "arb_sdk.h"
