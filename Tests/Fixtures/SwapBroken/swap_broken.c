#define SWAP_VARIANT 99
#include "../SwapCounter/swap_counter.inc"
