#ifndef RUNME_CXGBOOST_SHIM_H
#define RUNME_CXGBOOST_SHIM_H
// XGBoost's C API (libxgboost-dev 1.7). Everything DGAModel uses imports as it is: the
// array-interface functions take JSON text, so no typed wrappers are needed.
#include <xgboost/c_api.h>
#endif
