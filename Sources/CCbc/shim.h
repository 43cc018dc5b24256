// COIN-OR CBC's C interface, as Debian's coinor-libcbc-dev installs it (pkg-config module `cbc`),
// and CLP's, the simplex solver under it (installed with it).
#include <Cbc_C_Interface.h>
#include <Clp_C_Interface.h>
