// COIN-OR CBC's C interface, as Debian's coinor-libcbc-dev installs it (pkg-config module `cbc`).
#include <Cbc_C_Interface.h>
