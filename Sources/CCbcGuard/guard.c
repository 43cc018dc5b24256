// Debian builds COIN-OR CBC and CLP with assert() enabled, and on rare, numerically awkward
// programs one fails (measured: one of 900 generated treasuries, during CBC's strong
// branching), which aborts the whole process. A solve is a pure computation on memory only
// it touches, so here an abort raised inside one is turned back into an error: the signal
// handler jumps back to the solve's start. glibc's abort() releases its lock before raising
// SIGABRT precisely so that a handler may do this. The failed model is leaked, never reused.
#define _GNU_SOURCE
#include "CCbcGuard.h"

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>

// Set only while this thread is inside a guarded solve (one solve at a time: the caller
// holds a lock), so an abort anywhere else keeps its usual effect.
static _Thread_local sigjmp_buf *active = NULL;
static struct sigaction previous;

static void on_abort(int signal) {
    if (active != NULL) siglongjmp(*active, 1);
    // Not ours: put back whatever handled SIGABRT before (the default, or Swift's backtracer).
    sigaction(SIGABRT, &previous, NULL);
    raise(signal);
}

static int guarded(void (*body)(void *, int), void *model, int argument) {
    sigjmp_buf here;
    struct sigaction handler = {0};
    handler.sa_handler = on_abort;
    sigemptyset(&handler.sa_mask);
    sigaction(SIGABRT, &handler, &previous);
    int failed = 0;
    if (sigsetjmp(here, 1) == 0) {
        active = &here;
        body(model, argument);
    } else {
        failed = -1;
    }
    active = NULL;
    sigaction(SIGABRT, &previous, NULL);
    return failed;
}

static void cbc_solve(void *model, int unused) {
    (void)unused;
    Cbc_solve((Cbc_Model *)model);
}

static void clp_call(void *model, int call) {
    switch ((BallastClpCall)call) {
    case BallastClpInitialSolve: Clp_initialSolve((Clp_Simplex *)model); break;
    case BallastClpDual: Clp_dual((Clp_Simplex *)model, 0); break;
    case BallastClpPrimal: Clp_primal((Clp_Simplex *)model, 0); break;
    }
}

int ballast_cbc_solve_guarded(Cbc_Model *model) { return guarded(cbc_solve, model, 0); }

int ballast_clp_guarded(Clp_Simplex *model, BallastClpCall call) { return guarded(clp_call, model, (int)call); }
