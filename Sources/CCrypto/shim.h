#ifndef CONVTUTOR_CCRYPTO_SHIM_H
#define CONVTUTOR_CCRYPTO_SHIM_H

// OpenSSL's libcrypto (Debian and Ubuntu: libssl-dev), for MD5 through the EVP digest API, which
// OpenSSL 3 does not deprecate (MD5_Init and friends it does). Linux only: macOS uses CryptoKit.
#include <openssl/evp.h>

#endif
