/*
 * Which plugin callback a thread is in, for the crash report. A plugin runs in the host's
 * process: if it aborts or faults, the process ends (there is no isolating a dlopen'ed
 * library), but the last words name the plugin, its instance and the callback that was running.
 *
 * The marker is two thread-local pointers set around each call into a plugin (two stores, no
 * allocation, no lock). The handler uses only async-signal-safe calls (write, sigaction,
 * raise) and then lets the signal take its default action (core dump, exit status).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "CHostSupport.h"

_Thread_local const char *arb_crash_instance __attribute__((tls_model("initial-exec")));
_Thread_local const char *arb_crash_callback __attribute__((tls_model("initial-exec")));

static void say(const char *text) {
    if (text == NULL) return;
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, text, left);
        if (n <= 0) return;
        text += n;
        left -= (size_t)n;
    }
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    default: return "a fatal signal";
    }
}

static struct sigaction previous[32];

static void on_crash(int sig, siginfo_t *info, void *context) {
    const char *instance = arb_crash_instance, *callback = arb_crash_callback;
    if (instance != NULL) {
        say("\narbhost: ");
        say(signal_name(sig));
        say(" in a plugin: ");
        say(instance);
        say(", in its ");
        say(callback);
        say(" callback; the host process ends with it (plugins run in-process)\n");
    }
    /* Whoever handled this signal before (Swift's backtracer), then the default action. */
    if (sig > 0 && sig < 32) {
        struct sigaction *before = &previous[sig];
        if ((before->sa_flags & SA_SIGINFO) && before->sa_sigaction != NULL) {
            sigaction(sig, before, NULL);
            before->sa_sigaction(sig, info, context);
            return;
        }
        if (!(before->sa_flags & SA_SIGINFO) && before->sa_handler != SIG_DFL && before->sa_handler != SIG_IGN
            && before->sa_handler != NULL) {
            sigaction(sig, before, NULL);
            before->sa_handler(sig);
            return;
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void arb_install_crash_reporter(void) {
    static int installed = 0;
    if (installed) return;
    installed = 1;
    static char stack[64 * 1024];
    stack_t alternate = {.ss_sp = stack, .ss_size = sizeof stack, .ss_flags = 0};
    sigaltstack(&alternate, NULL);
    const int signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_crash;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &previous[signals[i]]);
    }
}
