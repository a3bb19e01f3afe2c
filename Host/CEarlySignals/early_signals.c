/*
 * `arbhost run` takes SIGINT, SIGTERM and SIGHUP on a thread of its own (SignalService). A
 * signal that arrives before that thread exists must wait as pending, not take its default
 * action (which ends the process): so the three are blocked here, before the shared libraries'
 * constructors and `main` run and before any thread starts, and every thread inherits the mask. Only for
 * `run`: the other commands keep the default actions (Ctrl-C ends a replay).
 */
#include <signal.h>
#include <string.h>

#include "early_signals.h"

static void arb_block_run_signals(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv == NULL || argv[1] == NULL || strcmp(argv[1], "run") != 0) return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* In the executable's .preinit_array: runs before any shared library's constructors (Swift's
 * runtime and Foundation take milliseconds to initialise), as early as a process can act. */
__attribute__((section(".preinit_array"), used)) static void (*const arb_preinit)(int, char **, char **) = arb_block_run_signals;

int arb_run_signals_blocked(void) {
    sigset_t current;
    if (pthread_sigmask(SIG_BLOCK, NULL, &current) != 0) return 0;
    return sigismember(&current, SIGTERM) == 1;
}
