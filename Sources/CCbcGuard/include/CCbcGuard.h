#ifndef BALLAST_CCBCGUARD_H
#define BALLAST_CCBCGUARD_H

#include <Cbc_C_Interface.h>
#include <Clp_C_Interface.h>

/// Which CLP call `ballast_clp_guarded` makes.
typedef enum { BallastClpInitialSolve, BallastClpDual, BallastClpPrimal } BallastClpCall;

/// `Cbc_solve(model)`; returns 0, or -1 when CBC or CLP failed one of its own assertions
/// (Debian builds them in), which would otherwise abort the process. After -1 the model is
/// in no state to be used again, not even deleted: the caller leaks it.
int ballast_cbc_solve_guarded(Cbc_Model *model);

/// The same for one CLP solve.
int ballast_clp_guarded(Clp_Simplex *model, BallastClpCall call);

#endif
