#define SWAP_VARIANT 1
#include "../SwapCounter/swap_counter.inc"
