#ifndef RUNME_CLIBCRYPTO_SHIM_H
#define RUNME_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
