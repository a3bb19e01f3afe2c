#define SWAP_VARIANT 2
#include "../SwapCounter/swap_counter.inc"
