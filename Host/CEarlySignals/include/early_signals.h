#ifndef ARB_EARLY_SIGNALS_H
#define ARB_EARLY_SIGNALS_H

/* 1 when SIGINT, SIGTERM and SIGHUP were blocked before main (the process runs `arbhost run`). */
int arb_run_signals_blocked(void);

#endif
